"""boto3 generate_presigned_url for test/clients/presign-v2.test.ts.

Usage: python3 boto3_presign.py '<json request>'

The request is {"endpoint": URL, "urls": [{"method": "get_object" | "put_object",
"params": {...}, "expires": seconds?}, ...]}. Prints the URLs as a JSON list.
boto3 runs with its defaults (credentials and region from the environment);
only the endpoint is set, so the signature version is boto3's own choice.
"""

import json
import sys

import boto3


def main():
    req = json.loads(sys.argv[1])
    s3 = boto3.client("s3", endpoint_url=req["endpoint"])
    urls = []
    for u in req["urls"]:
        kwargs = {"Params": {"Bucket": "music", **u["params"]}}
        if "expires" in u:
            kwargs["ExpiresIn"] = u["expires"]
        urls.append(s3.generate_presigned_url(u["method"], **kwargs))
    json.dump({"boto3": boto3.__version__, "urls": urls}, sys.stdout)


main()
