// A real OpenID Provider (node-oidc-provider 8) on loopback, for tests/accounts/test_sso.py.
//
// Usage: node oidc_provider.mjs '<json>' where the JSON has client_id, client_secret,
// redirect_uris, accounts ({id: {email, email_verified, name, ...}}) and optionally
// conform_id_token_claims. It listens on a
// free port of 127.0.0.1 and prints one line, {"issuer": "http://127.0.0.1:<port>"}.
//
// No login form: the test follows the redirects itself and picks the person on the
// interaction URL, /interaction/<uid>?account=<id>, or refuses with ?refuse=1.
// POST /_test/tamper?on=1 corrupts the signature of every ID token the token endpoint
// hands out from then on (?on=0 stops), as a broken or hostile provider would.

import http from "node:http";

import Provider from "oidc-provider";

const settings = JSON.parse(process.argv[2]);
let tamperIdTokens = false;
let provider;

async function interaction(req, res) {
  const url = new URL(req.url, "http://127.0.0.1");
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  let result;
  if (url.searchParams.get("refuse")) {
    result = { error: "access_denied", error_description: "End-User aborted interaction" };
  } else if (prompt.name === "login") {
    const account = url.searchParams.get("account");
    if (!settings.accounts[account]) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`no such test account: ${account}`);
      return;
    }
    result = { login: { accountId: account } };
  } else if (prompt.name === "consent") {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) {
      grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
    }
    if (prompt.details.missingOIDCClaims) {
      grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`unexpected prompt ${prompt.name}`);
    return;
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split(".");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
  return [header, payload, flipped].join(".");
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  } else if (req.url.startsWith("/_test/tamper") && req.method === "POST") {
    tamperIdTokens = new URL(req.url, "http://127.0.0.1").searchParams.get("on") === "1";
    res.writeHead(204);
    res.end();
  } else {
    provider.callback()(req, res);
  }
});

server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: settings.client_id,
        client_secret: settings.client_secret,
        redirect_uris: settings.redirect_uris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
      city: ["city"],
    },
    scopes: ["openid", "email", "profile", "city"],
    // By default the ID token carries the person's claims, as Google's and Keycloak's
    // do; with conform_id_token_claims only userinfo has them, as OIDC Core says.
    conformIdTokenClaims: Boolean(settings.conform_id_token_claims),
    pkce: { methods: ["S256"], required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, details) => `/interaction/${details.uid}` },
    cookies: { keys: ["test-cookie-key-not-secret"] },
    findAccount: (ctx, id) => {
      const person = settings.accounts[id];
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...person }) };
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (tamperIdTokens && ctx.path === "/token" && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token) };
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
