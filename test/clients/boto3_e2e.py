"""boto3 driver for test/clients/boto3.test.ts.

Usage: python3 boto3_e2e.py '<json request>'

The request is {"endpoint": URL, "op": NAME, ...op arguments}. The result is
one JSON document on stdout; with "trace": true it is {"result", "sent"},
"sent" being what each request carried (payload mode, checksum headers).
A client error prints {"error": {...}} and exits 1; anything else is a
traceback and exit 2. boto3 runs with its defaults (credentials, region and,
over HTTPS, AWS_CA_BUNDLE from the environment, new default checksums,
TransferConfig defaults); only the endpoint is set.
"""

import hashlib
import json
import os
import sys

import boto3
import botocore
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

BUCKET = "music"


SENT = []


def record(request, **_kwargs):
    """What went on the wire: payload mode and checksum headers of each request."""
    h = request.headers
    sha = h.get("x-amz-content-sha256", b"")
    SENT.append({
        "method": request.method,
        "payload": sha.decode() if isinstance(sha, bytes) else sha,
        "checksum": sorted(k.lower() for k in h.keys() if k.lower().startswith("x-amz-checksum-") or k.lower() in ("x-amz-trailer", "content-md5")),
    })


def client(endpoint):
    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.meta.events.register("before-send.s3", record)
    return s3


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def transfer_etag(path):
    """The ETag upload_file produces with the default TransferConfig."""
    cfg = TransferConfig()
    size = os.path.getsize(path)
    if size < cfg.multipart_threshold:
        return '"%s"' % md5_file(path)
    digests = []
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(cfg.multipart_chunksize), b""):
            digests.append(hashlib.md5(chunk).digest())
    return '"%s-%d"' % (hashlib.md5(b"".join(digests)).hexdigest(), len(digests))


def list_all(s3, prefix=""):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for c in page.get("Contents", []):
            out.append({"Key": c["Key"], "Size": c["Size"], "ETag": c["ETag"]})
    return out


def op_versions(_s3, _req):
    return {"boto3": boto3.__version__, "botocore": botocore.__version__}


def op_upload_file(s3, req):
    """TransferManager: multipart over 8 MiB, in 8 MiB parts."""
    s3.upload_file(req["path"], BUCKET, req["key"])
    head = s3.head_object(Bucket=BUCKET, Key=req["key"])
    return {"ETag": head["ETag"], "ContentLength": head["ContentLength"], "expectedETag": transfer_etag(req["path"])}


def op_put_object(s3, req):
    """Plain PutObject with a file body: default CRC checksum."""
    with open(req["path"], "rb") as f:
        put = s3.put_object(Bucket=BUCKET, Key=req["key"], Body=f)
    checksums = {k: v for k, v in put.items() if k.startswith("Checksum")}
    return {"ETag": put["ETag"], "checksums": checksums, "sent": SENT}


def op_list(s3, req):
    return list_all(s3, req.get("prefix", ""))


def op_download_file(s3, req):
    s3.download_file(BUCKET, req["key"], req["path"])
    return {"md5": md5_file(req["path"])}


def op_get_object(s3, req):
    body = s3.get_object(Bucket=BUCKET, Key=req["key"])["Body"].read()
    return {"md5": hashlib.md5(body).hexdigest(), "size": len(body)}


def op_sync(s3, req):
    """What a boto3 mirror script does: upload what is missing or differs (size, ETag)."""
    remote = {o["Key"]: o for o in list_all(s3, req["prefix"] + "/")}
    uploaded = []
    for root, _dirs, files in os.walk(req["dir"]):
        for name in sorted(files):
            path = os.path.join(root, name)
            key = req["prefix"] + "/" + os.path.relpath(path, req["dir"]).replace(os.sep, "/")
            have = remote.get(key)
            if have and have["Size"] == os.path.getsize(path) and have["ETag"] == transfer_etag(path):
                continue
            s3.upload_file(path, BUCKET, key)
            uploaded.append(key)
    return sorted(uploaded)


def op_delete_prefix(s3, req):
    """Recursive delete the boto3 way: list, then DeleteObjects in batches of 1000."""
    keys = [o["Key"] for o in list_all(s3, req.get("prefix", ""))]
    deleted, errors = [], []
    for i in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[i : i + 1000]]
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": batch})
        deleted += [d["Key"] for d in r.get("Deleted", [])]
        errors += r.get("Errors", [])
    return {"listed": sorted(keys), "deleted": sorted(deleted), "errors": errors}


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main():
    req = json.loads(sys.argv[1])
    s3 = client(req["endpoint"])
    try:
        result = OPS[req["op"]](s3, req)
        if req.get("trace"):
            result = {"result": result, "sent": SENT}
    except ClientError as e:
        err = e.response.get("Error", {})
        meta = e.response.get("ResponseMetadata", {})
        json.dump({"error": {"op": e.operation_name, "code": err.get("Code"), "message": err.get("Message"), "status": meta.get("HTTPStatusCode")}}, sys.stdout, ensure_ascii=False)
        sys.exit(1)
    except S3UploadFailedError as e:
        json.dump({"error": {"message": str(e)}}, sys.stdout, ensure_ascii=False)
        sys.exit(1)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
