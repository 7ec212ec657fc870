#ifndef LEAKGATE_CREDSTORE_H
#define LEAKGATE_CREDSTORE_H

#include <stddef.h>

/*
 * Credential-store parsers.  Files that are credential stores by name and
 * shape (.git-credentials, .netrc, .npmrc, .pypirc, docker config.json, gh
 * hosts.yml, .s3cfg, AWS credentials) are read with their own syntax, so
 * that each credential is found with the user and host it belongs to.
 *
 * A parser takes a whole file as (data, len), never reads outside it,
 * allocates nothing per byte and treats anything malformed as "no
 * credential here": it has no errors of its own.  Rules name a parser with
 * `parser:`; the engine passes each credential through the same checks as
 * a regex match.
 */

struct credstore_cred {
	size_t offset;		/* of the secret, as written, in data */
	size_t len;
	const char *detail;	/* "user alice at github.com"; for the call */
};

/*
 * Receives each credential.  Returns 1 when it was reported, 0 when a
 * filter dropped it, or a negative value to stop: the parser then returns
 * that value at once.
 */
typedef int (*credstore_emit_fn)(const struct credstore_cred *c,
				 void *payload);

/* Parses data[0..len) as one file; returns 0 or emit's negative value. */
typedef int (*credstore_fn)(const char *data, size_t len,
			    credstore_emit_fn emit, void *payload);

/* The parser registered under `name`, or NULL when there is none. */
credstore_fn credstore_lookup(const char *name);

/* Lists the registered names, NULL-terminated; the array is static. */
const char *const *credstore_names(void);

/* `scheme://user:password@host/path` lines, fields percent-encoded. */
int credstore_git_credentials(const char *data, size_t len,
			      credstore_emit_fn emit, void *payload);
/* machine/default entries with login, password, account, macdef. */
int credstore_netrc(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload);
/* _authToken, _auth (base64 user:password), _password (base64). */
int credstore_npmrc(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload);
/* [repository] sections with username and password. */
int credstore_pypirc(const char *data, size_t len, credstore_emit_fn emit,
		     void *payload);
/* s3cmd: secret_key and access_token, named by access_key. */
int credstore_s3cfg(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload);
/* AWS credentials and config: secret key and session token per profile. */
int credstore_aws(const char *data, size_t len, credstore_emit_fn emit,
		  void *payload);
/* gh hosts.yml: oauth_token per host (and per user under `users:`). */
int credstore_gh_hosts(const char *data, size_t len, credstore_emit_fn emit,
		       void *payload);
/* docker config.json: auths -> auth (base64 user:password), identitytoken. */
int credstore_docker_config(const char *data, size_t len,
			    credstore_emit_fn emit, void *payload);
/*
 * git config: URLs with a password (remote URLs, url.<base> sections,
 * credential.<url> sections) and http.extraHeader authorisation values.
 */
int credstore_git_config(const char *data, size_t len, credstore_emit_fn emit,
			 void *payload);
/*
 * The store itself: runs every store format above (not git config) and
 * emits the first credential that is reported, once, with a detail naming
 * the format.  Its secret is that credential, so its fingerprint follows
 * the store's content across renames, as every other fingerprint does.
 */
int credstore_any(const char *data, size_t len, credstore_emit_fn emit,
		  void *payload);

/* The parts of `scheme://user:password@host[:port][/path]`, as offsets. */
struct credstore_url {
	size_t user, user_len;
	size_t password, password_len;	/* password_len 0: none */
	size_t host, host_len;		/* with the port */
	size_t path, path_len;		/* from the '/', may be empty */
};

/*
 * Splits s[0..len) (the whole of it: no spaces) into url.  Returns 1 when
 * it is such a URL with a user and a password, else 0.
 */
int credstore_url_parse(const char *s, size_t len, struct credstore_url *url);

#endif
