// The console's browser files, embedded in the executable as text (Bun's
// `with { type: "text" }`): tsc sees their contents as a string.
declare module "*.client.js" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.svg" {
  const text: string;
  export default text;
}
