/** The one owner of everything here, as ListBuckets and listings show it. */
export const OWNER = { ID: "rockboxd-s3", DisplayName: "rockbox" };
