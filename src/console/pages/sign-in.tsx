/** The sign-in form: the keys `init` printed (SPEC §9). Works without script. */
import { BASE } from "../routing.ts";
import { Document } from "./layout.tsx";

export function SignInPage(props: { error?: string; accessKey?: string }) {
  return (
    <Document title="Sign in">
      <main class="sign-in">
        <h1>rockboxd-s3</h1>
        <p>Sign in with the access key and secret key from your settings file.</p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <form method="post" action={`${BASE}/api/sign-in`}>
          <label for="access_key">Access key</label>
          <input id="access_key" name="access_key" autocomplete="username" required value={props.accessKey ?? ""} />
          <label for="secret_key">Secret key</label>
          <input id="secret_key" name="secret_key" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
      </main>
    </Document>
  );
}
