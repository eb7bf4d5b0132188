/** Ready-to-paste client settings for the credentials just created. */
export function clientSnippets(endpoint: string, accessKey: string, secretKey: string): string {
  return `
awscli:
  export AWS_ACCESS_KEY_ID=${accessKey}
  export AWS_SECRET_ACCESS_KEY=${secretKey}
  export AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url ${endpoint} s3 cp song.flac s3://music/song.flac

rclone:
  rclone config create rbs3 s3 provider=Other access_key_id=${accessKey} \\
    secret_access_key=${secretKey} endpoint=${endpoint} region=us-east-1
  rclone copy ~/Staging rbs3:music

mc (MinIO client):
  mc alias set rbs3 ${endpoint} ${accessKey} ${secretKey}
  mc cp song.flac rbs3/music/song.flac

s3cmd (~/.s3cfg):
  access_key = ${accessKey}
  secret_key = ${secretKey}
  host_base = ${endpoint.replace(/^https?:\/\//, "")}
  host_bucket = ${endpoint.replace(/^https?:\/\//, "")}
  use_https = False
`;
}
