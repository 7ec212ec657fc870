/*
 * The plaintext credential detector: rules/plaintext.yaml with its checks
 * (plain.c, plain_value.c), run through the built-in engine, one case per
 * format, language, command and connection string, and one per kind of
 * value that is not a credential.  Every value here is made up; each line
 * carries the inline allow so leakgate's own scan passes over it.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "helpers.h"
#include "plain.h"
#include "plain_value.h"
#include "rules.h"

#define MAX_SEEN 16

struct seen {
	char rule[64];
	char secret[128];
	enum confidence confidence;
};

struct found {
	struct seen m[MAX_SEEN];
	size_t n;
};

static struct rule_set rs = RULE_SET_INIT;
static struct engine *engine;
static struct engine_worker *worker;

static void setup(void)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&engine, &rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_worker_new(&worker, engine, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	engine_worker_free(worker);
	engine_free(engine);
	rules_release(&rs);
}

TestSuite(plain, .init = setup, .fini = teardown);

static int collect(const struct engine_match *m, void *payload)
{
	struct found *f = payload;
	struct seen *s;

	cr_assert_lt(f->n, MAX_SEEN);
	s = &f->m[f->n++];
	snprintf(s->rule, sizeof(s->rule), "%s", m->rule->id);
	snprintf(s->secret, sizeof(s->secret), "%.*s", (int)m->secret_len,
		 m->secret);
	s->confidence = m->confidence;
	return 0;
}

static struct found scan(const char *path, const char *text)
{
	struct found f = { .n = 0 };
	struct engine_callbacks cb = { collect, NULL, &f };

	cr_assert_eq(engine_scan(worker, text, strlen(text), path, &cb), 0);
	return f;
}

struct positive {
	const char *what;
	const char *path;
	const char *text;
	const char *rule;
	const char *secret;
	enum confidence confidence;
};

#define PT "plaintext-secret-assignment"
#define PC "plaintext-command-password"
#define HI CONFIDENCE_HIGH

static const struct positive positives[] = {
	/* config syntaxes */
	{ "yaml block", "config/app.yaml", "db:\n  password: Tq8#vLp2!xr\n", PT, "Tq8#vLp2!xr", HI }, /* leakgate:allow */
	{ "yaml flow", "app.yml", "db: {user: bob, password: Kq2!zWp9Lm}\n", PT, "Kq2!zWp9Lm", HI }, /* leakgate:allow */
	{ "json", "config.json", "{\"db\": {\"password\": \"Jp4%xLq9Tz\"}}\n", PT, "Jp4%xLq9Tz", HI }, /* leakgate:allow */
	{ "escaped json", "run.ipynb", "\"source\": \"{\\\"api_key\\\": \\\"Zr8Qm2Lp5Vx9\\\"}\"\n", PT, "Zr8Qm2Lp5Vx9", HI }, /* leakgate:allow */
	{ "xml element", "web.xml", "<password>Jm5%tRq8Wz</password>\n", PT, "Jm5%tRq8Wz", HI }, /* leakgate:allow */
	{ "xml attribute", "ds.xml", "<datasource user=\"app\" password=\"Bx4!kLq7Pz\"/>\n", PT, "Bx4!kLq7Pz", HI }, /* leakgate:allow */
	{ "xml key/value", "Web.config", "<add key=\"DbPassword\" value=\"Fv6#pLx2Qk\" />\n", PT, "Fv6#pLx2Qk", HI }, /* leakgate:allow */
	{ "ini", "app.ini", "[db]\npassword = Lq8@zXw3Nm\n", PT, "Lq8@zXw3Nm", HI }, /* leakgate:allow */
	{ "properties", "application.properties", "spring.datasource.password=Nz5!qWp8Ks\n", PT, "Nz5!qWp8Ks", HI }, /* leakgate:allow */
	{ "toml", "settings.toml", "password = \"Rt6#kMz2Qp\"\n", PT, "Rt6#kMz2Qp", HI }, /* leakgate:allow */
	/* PASS as a setting of a configuration file stays a password's name */
	{ "PASS in a config", "deploy.yaml", "PASS: Xk9mP2vL7q\n", PT, "Xk9mP2vL7q", HI }, /* leakgate:allow */
	/* base64 of "admin:Xk9#mP2$vL7q": a basic-auth pair with a real password */
	{ "encoded pair", "client.py", "secret = \"YWRtaW46WGs5I21QMiR2TDdx\"\n", PT, "YWRtaW46WGs5I21QMiR2TDdx", HI }, /* leakgate:allow */
	{ ".env", ".env", "MAIL_PASSWORD=Pw7$zKq3Lx\n", PT, "Pw7$zKq3Lx", HI }, /* leakgate:allow */
	{ "terraform", "main.tf", "  password = \"Kz3!pQw8Lm\"\n", PT, "Kz3!pQw8Lm", HI }, /* leakgate:allow */
	{ "dockerfile env", "Dockerfile", "ENV DB_PASSWORD=Qw8!zLp3Km\n", PT, "Qw8!zLp3Km", HI }, /* leakgate:allow */
	{ "dockerfile env space", "build/Dockerfile", "ENV DB_PASSWORD Mq2#xLz9Kp\n", "plaintext-dockerfile-env", "Mq2#xLz9Kp", HI }, /* leakgate:allow */
	{ "dockerfile arg", "Dockerfile", "ARG ADMIN_TOKEN=Tk5Lm9Qz2Wp7\n", PT, "Tk5Lm9Qz2Wp7", HI }, /* leakgate:allow */
	{ "compose list", "docker-compose.yml", "    environment:\n      - POSTGRES_PASSWORD=Vz8!kLq2Wp\n", PT, "Vz8!kLq2Wp", HI }, /* leakgate:allow */
	{ "compose map", "compose.yaml", "    environment:\n      MYSQL_PASSWORD: Hx3#mQz7Lp\n", PT, "Hx3#mQz7Lp", HI }, /* leakgate:allow */
	{ "helm values", "charts/app/values.yaml", "redis:\n  auth:\n    password: \"Hl5!zQw8Kp\"\n", PT, "Hl5!zQw8Kp", HI }, /* leakgate:allow */
	{ "ansible vars", "group_vars/all.yml", "ansible_become_password: \"Vb3$nQz8Kd\"\n", PT, "Vb3$nQz8Kd", HI }, /* leakgate:allow */
	{ "k8s stringData", "k8s/secret.yaml", "kind: Secret\nstringData:\n  password: Sd4!qLz8Xp\n", PT, "Sd4!qLz8Xp", HI }, /* leakgate:allow */
	{ "k8s data base64", "k8s/secret.yaml", "kind: Secret\ndata:\n  db-password: S3o5I3ZRcDdMbQ==\n", PT, "S3o5I3ZRcDdMbQ==", HI }, /* leakgate:allow */
	/* code */
	{ "python assignment", "app/settings.py", "DB_PASSWORD = \"Pz9!kWq4Lm\"\n", PT, "Pz9!kWq4Lm", HI }, /* leakgate:allow */
	{ "python kwarg", "db.py", "conn = psycopg2.connect(host=\"db\", password=\"Yq6@mZp3Kx\")\n", PT, "Yq6@mZp3Kx", HI }, /* leakgate:allow */
	{ "python dict", "cfg.py", "CONFIG = {'secret': 'Dq4!zLp8Wm'}\n", PT, "Dq4!zLp8Wm", HI }, /* leakgate:allow */
	{ "js object", "config.js", "module.exports = { password: 'Hq2#zLp7Wm' };\n", PT, "Hq2#zLp7Wm", HI }, /* leakgate:allow */
	{ "ts const", "config.ts", "export const dbPassword = \"Jz5!qWm8Kp\";\n", PT, "Jz5!qWm8Kp", HI }, /* leakgate:allow */
	{ "go short var", "main.go", "\tpassword := \"Gz7!kQp2Lm\"\n", PT, "Gz7!kQp2Lm", HI }, /* leakgate:allow */
	{ "go struct field", "main.go", "\tcfg := Config{Password: \"Hv4#mZq8Kp\"}\n", PT, "Hv4#mZq8Kp", HI }, /* leakgate:allow */
	{ "java constant", "Db.java", "private static final String DB_PASSWORD = \"Jv8!qLz3Wp\";\n", PT, "Jv8!qLz3Wp", HI }, /* leakgate:allow */
	{ "kotlin val", "Db.kt", "val smtpPassword = \"Wm4$kq9Zr1\"\n", PT, "Wm4$kq9Zr1", HI }, /* leakgate:allow */
	{ "c# property", "Db.cs", "public string Password { get; set; } = \"Ln3#kPz7Wq\";\n", PT, "Ln3#kPz7Wq", HI }, /* leakgate:allow */
	{ "php define", "wp-config.php", "define( 'DB_PASSWORD', 'Wp6!zKq3Lm' );\n", PT, "Wp6!zKq3Lm", HI }, /* leakgate:allow */
	{ "php array", "config.php", "$config['password'] = 'Ph4#qLz8Wm';\n", PT, "Ph4#qLz8Wm", HI }, /* leakgate:allow */
	{ "ruby attribute", "config.rb", "config.password = \"Rb7!zQk2Lm\"\n", PT, "Rb7!zQk2Lm", HI }, /* leakgate:allow */
	{ "ruby keyword", "db.rb", "Foo.new(password: 'Ry3#mLq8Kz')\n", PT, "Ry3#mLq8Kz", HI }, /* leakgate:allow */
	{ "rust let", "main.rs", "let password = \"Rs5!kZq9Lm\";\n", PT, "Rs5!kZq9Lm", HI }, /* leakgate:allow */
	{ "shell export", "deploy.sh", "export DB_PASSWORD=Sh4!zQp8Lm\n", PT, "Sh4!zQp8Lm", HI }, /* leakgate:allow */
	{ "shell prefix", "deploy.sh", "PGPASSWORD=Xk4!nPq7Ls psql -h db -U app\n", PT, "Xk4!nPq7Ls", HI }, /* leakgate:allow */
	{ "kebab name", "app.yaml", "client-secret: Kc9vHq2LmX7p\n", PT, "Kc9vHq2LmX7p", HI }, /* leakgate:allow */
	{ "upper name", ".env", "ADMIN_PWD=Rb7!mQ2x9z\n", PT, "Rb7!mQ2x9z", HI }, /* leakgate:allow */
	{ "camel name", "app.js", "const apiKey = 'Mz7Kp2Qx9Lw4Rt';\n", PT, "Mz7Kp2Qx9Lw4Rt", HI }, /* leakgate:allow */
	{ "auth_token", "app.yaml", "auth_token: Gt6Kq2Zp9Lw4\n", PT, "Gt6Kq2Zp9Lw4", HI }, /* leakgate:allow */
	/* command lines */
	{ "mysql -p", "deploy.sh", "mysql -u app -pHq7!vR2mXk -h db shop\n", PC, "Hq7!vR2mXk", HI }, /* leakgate:allow */
	{ "sshpass", "deploy.sh", "sshpass -p 'Lw9#zQx4Tm' ssh deploy@10.0.0.5\n", PC, "Lw9#zQx4Tm", HI }, /* leakgate:allow */
	{ "redis-cli -a", "deploy.sh", "redis-cli -h cache -a Pz4kW8nQr2 ping\n", PC, "Pz4kW8nQr2", HI }, /* leakgate:allow */
	{ "mongo -p", "deploy.sh", "mongo admin -u root -p Gk2@vN7sLq\n", PC, "Gk2@vN7sLq", HI }, /* leakgate:allow */
	{ "docker login -p", "ci.sh", "docker login -u ci -p Yt5!mB3wKc registry.acme.io\n", PC, "Yt5!mB3wKc", HI }, /* leakgate:allow */
	{ "htpasswd -b", "setup.sh", "htpasswd -bc /etc/nginx/.htpasswd admin Rv8#nT2qLx\n", PC, "Rv8#nT2qLx", HI }, /* leakgate:allow */
	{ "net use", "map.bat", "net use Z: \\\\files\\share Qm6!tZ9pWe /user:ACME\\svc\n", PC, "Qm6!tZ9pWe", HI }, /* leakgate:allow */
	{ "curl -u", "deploy.sh", "curl -u admin:Cx8!qLz3Wp https://ci.acme.io\n", "curl-user-password", "admin:Cx8!qLz3Wp", HI }, /* leakgate:allow */
	{ "psql uri", "deploy.sh", "psql \"postgresql://app:Pq3!zLw8Km@db:5432/app\"\n", "postgres-connection-url", "Pq3!zLw8Km", HI }, /* leakgate:allow */
	/* connection strings */
	{ "ado.net", "appsettings.json", "\"Db\": \"Server=db;Database=app;User Id=sa;Password=Kc5!zQw8Lp;\"\n", "sqlserver-connection-string", "Kc5!zQw8Lp", HI }, /* leakgate:allow */
	{ "odbc pwd", "conn.cfg", "dsn = Driver={ODBC};Uid=app;Pwd=Od7!kQz3Lm;\n", PT, "Od7!kQz3Lm", HI }, /* leakgate:allow */
	{ "jdbc param", "app.properties", "url=jdbc:mysql://db:3306/app?user=app&password=Jd4!zQp8Lm&useSSL=true\n", "jdbc-password-parameter", "Jd4!zQp8Lm", HI }, /* leakgate:allow */
	{ "url userinfo ftp", "mirror.cfg", "url = ftp://mirror:Ft5%21zQp8Lm@ftp.acme.io/pub\n", "url-credentials", "Ft5%21zQp8Lm", HI }, /* leakgate:allow */
	{ "mongodb+srv", "app.env", "MONGO=mongodb+srv://api:Mg4!zQp8Lw@c0.ab1cd.mongodb.net/prod\n", "mongodb-connection-url", "Mg4!zQp8Lw", HI }, /* leakgate:allow */
	/* framework secrets */
	{ "django", "proj/settings.py", "SECRET_KEY = 'k3#9vz!q2m8x@p5wLr7^hc0&n4yb'\n", PT, "k3#9vz!q2m8x@p5wLr7^hc0&n4yb", HI }, /* leakgate:allow */
	{ "rails", "config/secrets.yml", "production:\n  secret_key_base: 9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d2e\n", PT, "9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d2e", HI }, /* leakgate:allow */
	{ "laravel", ".env", "APP_KEY=base64:Jq7kPz2Lx9Vm4Rt8Wn5Ys3Hb6Dc1Fg0Ke2Ua9Si4Oq=\n", PT, "base64:Jq7kPz2Lx9Vm4Rt8Wn5Ys3Hb6Dc1Fg0Ke2Ua9Si4Oq=", HI }, /* leakgate:allow */
	{ "flask", "app.py", "app.config['SECRET_KEY'] = 'Cn4!zLq8Pw2m'\n", PT, "Cn4!zLq8Pw2m", HI }, /* leakgate:allow */
	{ "express", "server.js", "app.use(session({ secret: 'Ex8!kPq3Zm7w' }));\n", PT, "Ex8!kPq3Zm7w", HI }, /* leakgate:allow */
	{ "jwt secret", ".env", "JWT_SECRET=Gx4Wm8Kp2Qz7Lr5Tn\n", PT, "Gx4Wm8Kp2Qz7Lr5Tn", HI }, /* leakgate:allow */
	/* crackable hashes */
	{ "htpasswd apr1", ".htpasswd", "admin:$apr1$Xq3Lw9Zp$Jm5tRq8WzKc9vHq2LmX7p1\n", "plaintext-password-hash", "$apr1$Xq3Lw9Zp$Jm5tRq8WzKc9vHq2LmX7p1", HI }, /* leakgate:allow */
	{ "shadow sha512", "etc/shadow", "root:$6$Xq3Lw9Zp$PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt.1fjORS/6ilI8ihN5KXSc7Tvo:19000:0:99999:7:::\n", "plaintext-password-hash", "$6$Xq3Lw9Zp$PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt.1fjORS/6ilI8ihN5KXSc7Tvo", HI }, /* leakgate:allow */
	{ "bcrypt", "users.yml", "hash: \"$2y$10$/hBKqFYY/kv5ZJr3J1TWDtkwtDDb.xHKas1VOqg6YYZYn9ZhyiA4u\"\n", "plaintext-password-hash", "$2y$10$/hBKqFYY/kv5ZJr3J1TWDtkwtDDb.xHKas1VOqg6YYZYn9ZhyiA4u", HI }, /* leakgate:allow */
	/* confidence */
	{ "docs path", "docs/setup.yaml", "password: Dk3!zQp8Lm\n", PT, "Dk3!zQp8Lm", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "example file", ".env.example", "DB_PASSWORD=Ex4!zQp8Lm\n", PT, "Ex4!zQp8Lm", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "readme", "README.md", "    export API_TOKEN=Rd5Kq2Zp9Lw4\n", PT, "Rd5Kq2Zp9Lw4", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "test path", "tests/db_test.go", "\tpassword := \"Ts6!kQp2Lm\"\n", PT, "Ts6!kQp2Lm", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "dictionary word", "app.yaml", "password: sunshine\n", PT, "sunshine", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "same as user", "wp.env", "WORDPRESS_DB_USER=wordpress\nWORDPRESS_DB_PASSWORD=wordpress\n", PT, "wordpress", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "same as db", "app.env", "DB_NAME=petclinic1\nDB_PASSWORD=petclinic1\n", PT, "petclinic1", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "skeleton default", "proj/settings.py", "SECRET_KEY = 'django-insecure-k3#9vz!q2m8x@p5w'\n", PT, "django-insecure-k3#9vz!q2m8x@p5w", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "weak default", "compose.yaml", "      MYSQL_PASSWORD: Passw0rd!\n", PT, "Passw0rd!", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "weak default in l33t", "compose.yaml", "      MYSQL_PASSWORD: P@55w0rd2024\n", PT, "P@55w0rd2024", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "short value", "app.yaml", "password: Ab3!x9\n", PT, "Ab3!x9", CONFIDENCE_MEDIUM }, /* leakgate:allow */
	{ "word in code", "auth.go", "\tPassword: \"sunflower\",\n", PT, "sunflower", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "gradle signing", "app/build.gradle", "    release {\n        storePassword \"Kw3!pZq9Lm\"\n", "plaintext-gradle-credentials", "Kw3!pZq9Lm", HI }, /* leakgate:allow */
	/* hard-coded checks, prose, credential constructors */
	{ "comparison", "login.py", "if user == \"ops\" and password == \"Vk7#pLq2Zx\":\n", PT, "Vk7#pLq2Zx", HI }, /* leakgate:allow */
	{ "strict inequality", "auth.js", "if (creds.secret !== 'Hq4!mZt8Lw') deny();\n", PT, "Hq4!mZt8Lw", HI }, /* leakgate:allow */
	{ "prose is", "setup.sh", "echo \"The admin password is 'Rw3@kVn7Tz'\"\n", PT, "Rw3@kVn7Tz", HI }, /* leakgate:allow */
	{ "NetworkCredential", "Mailer.cs", "smtp.Credentials = new NetworkCredential(\"mailer\", \"Tq8#vLp2xr\");\n", "plaintext-constructor-credential", "Tq8#vLp2xr", HI }, /* leakgate:allow */
	{ "login check with a word", "auth.py", "if username == 'ops' and password =='quietharbour':\n", PT, "quietharbour", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "go inequality with a word", "auth.go", "if creds.Secret != \"quietharbour\" {\n", PT, "quietharbour", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "gradle buildConfigField", "app/build.gradle", "buildConfigField 'String', 'API_KEY', '\"Zr8Qm2Lp5Vx9Kt\"'\n", PT, "Zr8Qm2Lp5Vx9Kt", HI }, /* leakgate:allow */
	{ "buildConfigField escaped", "app/build.gradle", "buildConfigField 'String', 'API_KEY', '\\\"Zr8Qm2Lp5Vx9Kt\\\"'\n", PT, "Zr8Qm2Lp5Vx9Kt", HI }, /* leakgate:allow */
	{ "java equals", "Auth.java", "if (password.equals(\"Vk7#pLq2Zx\")) {\n", PT, "Vk7#pLq2Zx", HI }, /* leakgate:allow */
	{ "escaped quote, '>' among symbols", "config/app.yaml", "oauth:\n  jwtsecret: \"Qx7\\\"k;Lm>2v!Rz%Tq&8w^Np(Ys)Bd\"\n", PT, "Qx7\\\"k;Lm>2v!Rz%Tq&8w^Np(Ys)Bd", HI }, /* leakgate:allow */
	{ "backslash in single quotes", "config/app.yaml", "jwtsecret: 'Wq3\\9\"vR;k>Tz!Lm^8Pn&Yd%'\n", PT, "Wq3\\9\"vR;k>Tz!Lm^8Pn&Yd%", HI }, /* leakgate:allow */
	{ "'$' taken as written in properties", "application.properties", "db.password=Kq7$token\n", PT, "Kq7$token", HI }, /* leakgate:allow */
	{ "'@' inside a URL password", "mount.sh", "mount -t cifs //nas/share -o x smb://backup:Pq7Lw@Zx9Tk@nas.local/share\n", "url-credentials", "Pq7Lw@Zx9Tk", HI }, /* leakgate:allow */
	{ "'@' inside a mongodb password", "app.env", "MONGO_URL=mongodb://ops:Kq7@vLz2Wm9x@mongo.acme.io:27017/ops\n", "mongodb-connection-url", "Kq7@vLz2Wm9x", HI }, /* leakgate:allow */
	{ "ado string concatenated", "Billing.vbs", "cn.Open(\"Provider=SQLOLEDB.1;User ID=billing; \" & \"Password =Wq4!zLm8Tr;Initial Catalog=Billing;Data Source=sql01;\")\n", "sqlserver-connection-string", "Wq4!zLm8Tr", HI }, /* leakgate:allow */
	{ "NetworkCredential word", "Fetch.ps1", "$wc.Credentials = New-Object System.Net.NetworkCredential(\"ci\", \"quietharbour\")\n", "plaintext-constructor-credential", "quietharbour", CONFIDENCE_LOW }, /* leakgate:allow */
	{ "DirectoryEntry", "Ldap.cs", "var e = new DirectoryEntry(\"LDAP://dc1\",\n    \"ACME\\\\svc\",\n    \"Hn3q!Lw8Zp\");\n", "plaintext-constructor-credential", "Hn3q!Lw8Zp", HI }, /* leakgate:allow */
	{ "unknown file kind", "notes.log", "password=Lg7!kQz2Wp\n", PT, "Lg7!kQz2Wp", CONFIDENCE_MEDIUM }, /* leakgate:allow */
};

static const struct seen *find_rule(const struct found *f, const char *rule)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->m[i].rule, rule))
			return &f->m[i];
	return NULL;
}

Test(plain, finds_each_format_language_command_and_string)
{
	size_t i;

	for (i = 0; i < sizeof(positives) / sizeof(positives[0]); i++) {
		const struct positive *p = &positives[i];
		struct found f = scan(p->path, p->text);
		const struct seen *s = find_rule(&f, p->rule);

		cr_expect_not_null(s, "%s: no %s finding (%zu others)", p->what,
				   p->rule, f.n);
		if (!s)
			continue;
		cr_expect_str_eq(s->secret, p->secret, "%s", p->what);
		cr_expect_eq(s->confidence, p->confidence, "%s: %s, not %s",
			     p->what, confidence_name(s->confidence),
			     confidence_name(p->confidence));
	}
}

struct negative {
	const char *what;
	const char *path;
	const char *text;
};

static const struct negative negatives[] = {
	/* references */
	{ "${X}", "app.yaml", "password: ${DB_PASSWORD}\n" },
	{ "$X", ".env", "DB_PASSWORD=$SECRET_FROM_CI\n" },
	{ "%(x)s", "app.ini", "password = %(db_pass)s\n" },
	{ "{{ }}", "values.yaml", "password: \"{{ .Values.db.password }}\"\n" },
	{ "<%= %>", "config/database.yml", "  password: <%= ENV['DB_PASSWORD'] %>\n" },
	{ "os.getenv", "settings.py", "PASSWORD = os.getenv(\"DB_PASSWORD\")\n" },
	{ "os.environ", "settings.py", "PASSWORD = os.environ[\"DB_PASSWORD\"]\n" },
	{ "process.env", "cfg.js", "const password = process.env.DB_PASSWORD;\n" },
	{ "System.getenv", "Db.java", "String password = System.getenv(\"DB_PASSWORD\");\n" },
	{ "!vault", "vars.yml", "db_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          62313365396662343061393464336163\n" },
	{ "sops ENC[]", "secrets.yaml", "password: ENC[AES256_GCM,data:Tr7o8w==,iv:1a2b=,tag:2c3d=,type:str]\n" },
	{ "secretKeyRef", "deploy.yaml", "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: db\n              key: password\n" },
	{ "vault: path", "app.yaml", "password: vault:secret/data/db#password\n" },
	{ "secrets manager arn", "app.yaml", "db_password: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\n" },
	{ "github actions", "ci.yml", "  password: ${{ secrets.DB_PASSWORD }}\n" },
	/* placeholders */
	{ "changeme", "app.yaml", "password: changeme\n" },
	{ "password", "app.yaml", "password: password\n" },
	{ "<your-password>", "app.yaml", "password: <your-password>\n" },
	{ "YOUR_API_KEY_HERE", "cfg.js", "const apiKey = 'YOUR_API_KEY_HERE';\n" },
	{ "stars", "app.yaml", "password: \"********\"\n" },
	{ "xxx", ".env", "API_TOKEN=xxxxxxxxxxxx\n" },
	/* empty, null, boolean, numeric */
	{ "empty then next line", ".env.example", "DB_PASSWORD=\nSESSION_DRIVER=database\n" },
	{ "empty quoted", ".env", "DB_PASSWORD=\"\"\nAPP_ENV=local\n" },
	{ "null", "app.yaml", "password: null\n" },
	{ "boolean", "app.yaml", "use_secret: true\nsecret_enabled: false\nsecret: false\n" },
	{ "numeric", "app.yaml", "password: 12345678\n" },
	/* UI and i18n strings, policy fields, field names */
	{ "ui string", "en.json", "{\"password\": \"Enter your password\"}\n" },
	{ "i18n", "fr.yml", "password: Mot de passe\n" },
	{ "label", "form.js", "const passwordLabel = 'Passwort eingeben';\n" },
	{ "policy", "app.yaml", "password_policy: Hx7!kQz2Lm\nmin_password_length: 12\n" },
	{ "field name", "models.py", "password_field = \"user_password\"\n" },
	{ "column name", "schema.json", "{\"passwordColumn\": \"password_hash\"}\n" },
	{ "list of names", "api.json", "{\"name\":\"passphrase\",\"comments\":\"\"}\n" },
	/* function calls and type names */
	{ "call", "app.py", "password = get_password()\n" },
	{ "ts type", "user.ts", "  password: string;\n" },
	{ "go type", "user.go", "\tPassword string `json:\"password\"`\n" },
	{ "python variable", "app.py", "password = settings_password\n" },
	/* ciphertext */
	{ "sealed secret", "sealed.yaml", "kind: SealedSecret\nspec:\n  encryptedData:\n    password: Hx7kQz2Lm9Wp4Rt\n" },
	{ "sealed secret body", "x.yaml", "    password: AgoRgnatmUdjAWtGSU8po+799NksnRH9ucAUsdMlHUvTCQCyEZDz/TddJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT61qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr7CmY+uCu3ZR1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNAL5wIScGebcy8F5n3/YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNBTx\n" },
	{ "k8s base64 placeholder", "k8s/secret.yaml", "kind: Secret\ndata:\n  password: Y2hhbmdlbWU=\n" },
	/* file paths */
	{ "docker secret path", "compose.yaml", "      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n" },
	{ "_FILE convention", ".env", "DB_PASSWORD_FILE=db_password.txt\n" },
	{ "key file path", "app.yaml", "private_key: /etc/ssl/private/server.key\nssl_key_password: certs/server.pem\n" },
	/* commands without a password */
	{ "mysql prompts", "deploy.sh", "mysql -u root -p shop\n" },
	{ "mysql variable", "deploy.sh", "mysql -u root -p$MYSQL_ROOT_PASSWORD\n" },
	{ "sshpass variable", "deploy.sh", "sshpass -p \"$SSHPASS\" ssh deploy@host\n" },
	{ "docker login stdin", "ci.sh", "docker login -u ci --password-stdin registry.acme.io\n" },
	/* names that only contain a keyword */
	{ "bypass", "app.py", "bypass = \"Tq8#vLp2!xr\"\n" },
	{ "tokenizer", "nlp.py", "tokenizer = \"Tq8#vLp2!xr\"\n" },
	{ "lexer token", "cmd.json", "{\"token\": \"WITHSCORES\", \"type\": \"pure-token\"}\n" },
	{ "glued askpass", "t.sh", "GIT_ASKPASS=askpass-helper1\n" },
	{ "glued nopasswd", "sudoers.conf", "NOPASSWD=Hx7kQz2Lm9\n" },
	{ "sender address", "LocalSettings.php", "$wgPasswordSender = \"Hx7kQz2Lm9x\";\n" },
	{ "relative path", "Makefile", "install-git-credential-osxkeychain: contrib/credential/git-credential-osxkeychain\n" },
	{ "selector spelling the name", "form.js", "this.addPassword = \"#add-password\";\n" }, /* leakgate:allow */
	{ "policy arn spelling the name", "policies.py", "IAMUserChangePassword = \"arn:aws:iam::aws:policy/IAMUserChangePassword\"\n" }, /* leakgate:allow */
	{ "not an aws secret key shape", ".env", "AWS_SECRET_ACCESS_KEY=7d3f9a2c6b1e8f04d5a7c3b9e2f1a6d8c4b0e7f3a9\n" }, /* leakgate:allow */
	{ "pass through", "proxy.yaml", "pass_through: always\n" }, /* leakgate:allow */
	{ "word spelling the name", "test_finding.c", "struct m = { .secret = \"secretvalue\" };\n" }, /* leakgate:allow */
	{ "i18n word in another script", "es.json", "{\"password\": \"Contrase\xc3\xb1" "a\", \"secret\": \"\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c\"}\n" }, /* leakgate:allow */
	{ "i18n word, json escape", "es.json", "{\"password\": \"Contrase\\u00f1a\"}\n" }, /* leakgate:allow */
	{ "i18n word", "de.json", "{\"password\": \"Passwort\"}\n" }, /* leakgate:allow */
	{ "comparison with a word", "lex.js", "if (token.value === \"function\") return;\n" }, /* leakgate:allow */
	{ "secret store", "app.yaml", "password_store: Hq2!xLz8Wp\n" }, /* leakgate:allow */
	{ "anonymous ftp login", "ftp.c", "server->user = \"anonymous\";\nserver->password = \"busybox@\";\n" }, /* leakgate:allow */
	{ "enum comparison", "lex.py", "if secret.kind == \"generic\":\n" }, /* leakgate:allow */
	{ "word about the secret", "settings.py", "PASSWORD_HASHERS = \"django\"\nsecret_backend: \"kubernetes\"\n" }, /* leakgate:allow */
	{ "translations", "i18n.js", "const de = { password: \"Kennwort\", secret: \"Geheimnis\" };\n" }, /* leakgate:allow */
	{ "constructor with variables", "Mailer.cs", "new NetworkCredential(user, password);\n" }, /* leakgate:allow */
	{ "shell expansion in a bare value", "notes.txt", "password = super$ecret\n" }, /* leakgate:allow */
	{ "leet-spelled stand-in", "app.yaml", "admin_password: \"Adm1nP@ssw0rd\"\n" }, /* leakgate:allow */
	{ "password policy regex", "validation.yaml", "password: \"^(?=.*\\d)[A-Za-z\\d!]+$\"\n" }, /* leakgate:allow */
	{ "angle template", "app.yaml", "password: \"<Kq7vLp2xWm>\"\n" }, /* leakgate:allow */
	/* base64 of "alice:secret-passwd" and of "a-git-token": stand-ins */
	{ "encoded stand-in pair", "t.sh", "secret = \"YWxpY2U6c2VjcmV0LXBhc3N3ZA==\"\n" },
	{ "encoded stand-in token", "t.sh", "secret = \"YS1naXQtdG9rZW4=\"\n" },
	{ "test verdict in a log", "test-summary", "PASS: binutils-all/i386/pr21231a\nXPASS: gdb.multi/base.exp: run\n" },
	{ "style colour", "styles/nord.py", "    Token: \"#d8dee9\",\n" },
	{ "reserved identifier", "barrier", "  __phase = __barrier_phase_t;\n" },
	{ "percent-encoded name", "NEWS", "token = Root%20CA%20Certificates\n" },
	{ "RFC 6749 example token", "params.py", "access_token = \"2YotnFZFEjr1zCsicMWpAA\"\n" },
	{ "C++ template file", "regex_scanner.tcc", "_M_token = _S_token_eof;\n" },
	{ "e-mail argument", "sig.c", "sig_new(&s, \"nulltoken\", \"emeric.fermas@gmail.com\", 0);\n" },
};

Test(plain, passes_over_what_is_not_a_credential)
{
	size_t i;

	for (i = 0; i < sizeof(negatives) / sizeof(negatives[0]); i++) {
		const struct negative *n = &negatives[i];
		struct found f = scan(n->path, n->text);

		cr_expect_eq(f.n, 0, "%s: %s %s reported", n->what,
			     f.n ? f.m[0].rule : "", f.n ? f.m[0].secret : "");
	}
}

Test(plain, classifies_values)
{
	static const struct {
		const char *value;
		enum plain_class cls;
	} cases[] = {
		{ "Tq8#vLp2!xr", PLAIN_SECRET },
		{ "sunshine", PLAIN_WORD },
		{ "thisismypassword", PLAIN_PLACEHOLDER },
		{ "Passwort", PLAIN_PLACEHOLDER },
		{ "Ab3!x", PLAIN_SHORT },
		{ "${DB_PASSWORD}", PLAIN_REFERENCE },
		{ "<your-password>", PLAIN_PLACEHOLDER },
		{ "YOUR_API_KEY_HERE", PLAIN_PLACEHOLDER },
		{ "undefined", PLAIN_LITERAL },
		{ "Mot de passe", PLAIN_TEXT },
		{ "/run/secrets/db", PLAIN_PATH },
		{ "server.key", PLAIN_PATH },
		{ "user_password", PLAIN_CODE },
		{ "passwordField", PLAIN_CODE },
		{ "DB_PASSWORD", PLAIN_CODE },
		{ "getPassword()", PLAIN_CODE },
		{ "ENC[AES256_GCM,data:x]", PLAIN_CIPHERTEXT },
		{ "P@ssw0rd1", PLAIN_PLACEHOLDER },
		{ "s3cr3tk3y", PLAIN_PLACEHOLDER },
		{ "passw@rd", PLAIN_PLACEHOLDER },
		{ "Contrase\\u00f1a", PLAIN_TEXT },
		{ "Password:\\n", PLAIN_TEXT },
		{ "Qx7\\u0041k9Lm", PLAIN_SECRET },
		{ "P@ssw0rd2024", PLAIN_SECRET },
		{ "super$ecret", PLAIN_SECRET },
		{ "C0rrectH0rse", PLAIN_SECRET },
		{ "^(?=.*\\d).+$", PLAIN_CODE },
		{ "[^a-z0-9]+", PLAIN_CODE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum plain_class c = plain_value_classify(cases[i].value,
							  strlen(cases[i].value));
		cr_expect_eq(c, cases[i].cls, "%s: %s, not %s", cases[i].value,
			     plain_value_name(c), plain_value_name(cases[i].cls));
	}
}

Test(plain, sample_paths)
{
	cr_expect(plain_path_is_sample("docs/install.md"));
	cr_expect(plain_path_is_sample("src/tests-clar/online/push.c"));
	cr_expect(plain_path_is_sample("config/.env.example"));
	cr_expect(plain_path_is_sample("README"));
	cr_expect(plain_path_is_sample("app/settings.yaml.sample"));
	cr_expect_not(plain_path_is_sample("config/settings.yaml"));
	cr_expect_not(plain_path_is_sample("docker/compose.yaml"));
	cr_expect_not(plain_path_is_sample(NULL));
}

Test(plain, confidence_names_round_trip)
{
	enum confidence c;

	cr_assert_eq(confidence_parse("medium", &c), 0);
	cr_assert_eq(c, CONFIDENCE_MEDIUM);
	cr_assert_str_eq(confidence_name(CONFIDENCE_LOW), "low");
	cr_assert_eq(confidence_parse("pattern", &c), -1);
	cr_assert(CONFIDENCE_LOW < CONFIDENCE_MEDIUM &&
		  CONFIDENCE_HIGH < CONFIDENCE_CHECKSUM);
}

/* ---- end to end ---------------------------------------------------------- */

static char *repo;

static void e2e_setup(void)
{
	repo = th_tmpdir();
	th_git_init(repo);
	th_write(repo, "config/app.yaml", "db:\n  user: app\n  password: Tq8#vLp2!xr\n"); /* leakgate:allow */
	th_write(repo, ".env.example", "DB_PASSWORD=\nSESSION_DRIVER=database\nADMIN_PASSWORD=Ex4!zQp8Lm\n"); /* leakgate:allow */
	th_write(repo, "settings.py", "PASSWORD = os.getenv(\"DB_PASSWORD\")\n");
	th_git_commit(repo, "config");
}

static void e2e_teardown(void)
{
	th_rmtree(repo);
	repo = NULL;
}

TestSuite(e2e_plain, .init = e2e_setup, .fini = e2e_teardown, .timeout = 60);

#define LG(...) \
	th_leakgate(repo, NULL, (const char *const[]){ __VA_ARGS__, NULL })

static json_t *findings(const struct run_result *r)
{
	json_error_t jerr;
	json_t *j = json_loads(r->out, 0, &jerr);

	cr_assert_eq(r->status, 1, "%s%s", r->out, r->err);
	cr_assert(json_is_array(j), "not a JSON array: %s", r->out);
	return j;
}

static const char *field(json_t *a, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(a, i), key));
}

Test(e2e_plain, history_grades_and_min_confidence_cuts)
{
	struct run_result r = LG("history", "-f", "json", "--show-secrets");
	json_t *all = findings(&r);

	cr_assert_eq(json_array_size(all), 2, "%s", r.out);
	cr_expect_str_eq(field(all, 0, "path"), ".env.example");
	cr_expect_str_eq(field(all, 0, "secret"), "Ex4!zQp8Lm"); /* leakgate:allow */
	cr_expect_str_eq(field(all, 0, "confidence"), "low");
	cr_expect_str_eq(field(all, 1, "path"), "config/app.yaml");
	cr_expect_str_eq(field(all, 1, "rule"), "plaintext-secret-assignment");
	cr_expect_str_eq(field(all, 1, "confidence"), "high");
	json_decref(all);
	th_run_release(&r);

	r = LG("history", "-f", "json", "--min-confidence", "high");
	all = findings(&r);
	cr_assert_eq(json_array_size(all), 1, "%s", r.out);
	cr_expect_str_eq(field(all, 0, "path"), "config/app.yaml");
	json_decref(all);
	th_run_release(&r);

	r = LG("history", "--min-confidence", "checksum");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	th_run_release(&r);
	r = LG("history", "--min-confidence", "sure");
	cr_expect_eq(r.status, 2);
	th_run_release(&r);
}

Test(e2e_plain, every_format_carries_the_confidence)
{
	static const char *const formats[][2] = {
		{ "text", "  high  " },
		{ "csv", ",high," },
		{ "sarif", "\"confidence\": \"high\"" },
		{ "junit", "confidence: high" },
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct run_result r = LG("history", "-f", formats[i][0],
					 "--min-confidence", "high");
		cr_expect_eq(r.status, 1, "%s: %s", formats[i][0], r.err);
		cr_expect(strstr(r.out, formats[i][1]), "%s: %s", formats[i][0],
			  r.out);
		th_run_release(&r);
	}
}
