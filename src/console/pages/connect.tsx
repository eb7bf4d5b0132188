/** The Connect view: the endpoint, the access key, ready-to-paste snippets; the secret only on request. */
export const SECRET_PLACEHOLDER = "YOUR_SECRET_KEY";

function boto3(endpoint: string, accessKey: string): string {
  return `import boto3
s3 = boto3.client("s3", endpoint_url="${endpoint}", region_name="us-east-1",
                  aws_access_key_id="${accessKey}", aws_secret_access_key="${SECRET_PLACEHOLDER}")
s3.upload_file("song.flac", "music", "song.flac")`;
}

export function ConnectView(props: { endpoint: string; accessKey: string; snippets: string }) {
  return (
    <section class="connect">
      <h1>Connect</h1>
      <dl class="facts">
        <dt>Endpoint</dt>
        <dd id="endpoint">{props.endpoint}</dd>
        <dt>Bucket</dt>
        <dd>music</dd>
        <dt>Region</dt>
        <dd>us-east-1</dd>
        <dt>Access key</dt>
        <dd id="access-key">{props.accessKey}</dd>
        <dt>Secret key</dt>
        <dd>
          <span id="secret-key">••••••••</span> <button type="button" id="show-secret">Show secret</button>
        </dd>
      </dl>
      <h2>Snippets</h2>
      <pre class="snippet" aria-label="awscli, rclone, mc and s3cmd">{props.snippets.trim()}</pre>
      <pre class="snippet" aria-label="boto3">{`boto3:\n${boto3(props.endpoint, props.accessKey)}`}</pre>
    </section>
  );
}
