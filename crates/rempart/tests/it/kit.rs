use rempart::demo;
use rempart_storage::{testing, DatabaseUrl, Store};
use rempart_web::auth::{hash_with, PasswordHashing};
use rempart_web::policy::Routes;
use rempart_web::{AppState, WebConfig};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub url: DatabaseUrl,
}

pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
    pub person_id: i64,
    pub base: String,
}

/// Cheap Argon2id parameters: the tests check behaviour, not cost.
pub fn cheap_hashing() -> PasswordHashing {
    PasswordHashing::new(1024, 1, 2).unwrap()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(rempart_web::routes::routes()).await
    }

    pub async fn spawn_with(routes: Routes) -> TestApp {
        let url = testing::fresh_url().await.unwrap();
        let store = Store::open(&url, 8).await.unwrap();
        let hashing = cheap_hashing();
        let hash = hash_with(hashing.params(), demo::DEMO_PASSWORD).unwrap();
        assert!(demo::load(&store, &hash).await.unwrap());
        Self::serve(store, url, hashing, routes).await
    }

    pub async fn serve(
        store: Store,
        url: DatabaseUrl,
        hashing: PasswordHashing,
        routes: Routes,
    ) -> TestApp {
        Self::serve_full(store, url, hashing, routes, WebConfig::default()).await
    }

    pub async fn serve_with_config(
        store: Store,
        url: DatabaseUrl,
        hashing: PasswordHashing,
        config: WebConfig,
    ) -> TestApp {
        Self::serve_full(store, url, hashing, rempart_web::routes::routes(), config).await
    }

    pub async fn serve_full(
        store: Store,
        url: DatabaseUrl,
        hashing: PasswordHashing,
        routes: Routes,
        config: WebConfig,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve_on(listener, store, url, hashing, routes, config).await
    }

    /// The demo, served with a configuration that needs the server's own address (a single
    /// sign-on callback).
    pub async fn spawn_configured(config: impl FnOnce(&str) -> WebConfig) -> TestApp {
        let url = testing::fresh_url().await.unwrap();
        let store = Store::open(&url, 8).await.unwrap();
        let hashing = cheap_hashing();
        let hash = hash_with(hashing.params(), demo::DEMO_PASSWORD).unwrap();
        assert!(demo::load(&store, &hash).await.unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = config(&base);
        Self::serve_on(
            listener,
            store,
            url,
            hashing,
            rempart_web::routes::routes(),
            config,
        )
        .await
    }

    async fn serve_on(
        listener: tokio::net::TcpListener,
        store: Store,
        url: DatabaseUrl,
        hashing: PasswordHashing,
        routes: Routes,
        config: WebConfig,
    ) -> TestApp {
        let state = AppState::new(store.clone(), config, hashing).unwrap();
        let (router, _) = rempart_web::routes::assemble(routes, state);
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            store,
            url,
        }
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn login(&self, email: &str) -> Session {
        login_at(&self.base, email, demo::DEMO_PASSWORD).await
    }

    pub async fn org_id(&self, slug: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    pub async fn person_id(&self, email: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT id FROM persons WHERE email = $1")
            .bind(email)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    pub async fn grant_id(&self, email: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(
            "SELECT g.id FROM role_grants g JOIN persons p ON p.id = g.person_id WHERE p.email = $1",
        )
        .bind(email)
        .fetch_one(self.store.pool())
        .await
        .unwrap()
    }

    pub async fn audit_seq(&self) -> i64 {
        rempart_storage::audit::head(&self.store).await.unwrap().seq
    }
}

pub async fn login_at(base: &str, email: &str, password: &str) -> Session {
    let client = TestApp::client();
    let response = client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "login of {email} failed");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    complete_steps(&client, base, email, password, location).await;
    let me_text = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let me: Value = serde_json::from_str(&me_text).unwrap_or_else(|_| panic!("{email}: {me_text}"));
    Session {
        client,
        csrf: me["csrf_token"].as_str().unwrap().to_owned(),
        person_id: me["person"]["id"].as_i64().unwrap(),
        base: base.to_owned(),
    }
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// What the tests choose when a temporary password must be changed.
pub const NEW_PASSWORD: &str = "cinq pommes vertes sous la galerie";

/// Demo accounts by role, for the matrix tests.
pub const CSIO_A: &str = "csio@demo.rempart.quebec";
pub const ADMIN: &str = "admin@demo.rempart.quebec";
pub const AUDITOR: &str = "auditeur@demo.rempart.quebec";
pub const USER_A: &str = "utilisateur@demo.rempart.quebec";
pub const HOLDER_A: &str = "detenteur@demo.rempart.quebec";
pub const PRIVACY_B: &str = "rprp@demo.rempart.quebec";
pub const BODY_A: &str = "ministere-fictif-des-ressources";
pub const BODY_B: &str = "agence-fictive-de-la-sante";
pub const UNIT_A: &str = "mfr-direction-des-ti";
pub const UNIT_B: &str = "afs-direction-des-ti";

/// TOTP secrets enrolled by the tests, and the last step each used, by server and e-mail.
type Secrets = std::collections::HashMap<String, (String, u64)>;
static SECRETS: std::sync::LazyLock<std::sync::Mutex<Secrets>> =
    std::sync::LazyLock::new(Default::default);

pub fn totp_code(secret: &str, email: &str, step: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Rempart".into()),
        email.to_owned(),
    )
    .unwrap()
    .generate(step * 30)
}

fn now_step() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30
}

/// A step not used yet by this account: the current one, or the next within the drift.
pub async fn fresh_step(key: &str) -> u64 {
    loop {
        let now = now_step();
        let last = SECRETS
            .lock()
            .unwrap()
            .get(key)
            .map(|(_, s)| *s)
            .unwrap_or(0);
        let step = now.max(last + 1);
        if step <= now + 1 {
            if let Some(entry) = SECRETS.lock().unwrap().get_mut(key) {
                entry.1 = step;
            }
            return step;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

pub fn secret_of(base: &str, email: &str) -> Option<String> {
    SECRETS
        .lock()
        .unwrap()
        .get(&format!("{base}/{email}"))
        .map(|(s, _)| s.clone())
}

pub fn field_value(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The text inside the element that `marker` opens.
pub fn element_text(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

/// Completes the steps owed after the password, as a person would: enrols or proves TOTP,
/// changes a temporary password. Returns where the person lands.
pub async fn complete_steps(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    mut location: String,
) -> String {
    let key = format!("{base}/{email}");
    for _ in 0..4 {
        match location.as_str() {
            "/mfa/enrol" => {
                let page = client
                    .get(format!("{base}/mfa/enrol"))
                    .send()
                    .await
                    .unwrap();
                let page = page.text().await.unwrap();
                let secret = element_text(&page, "<code id=\"totp-secret\">").replace(' ', "");
                let csrf = field_value(&page, "name=\"csrf\" value=\"");
                SECRETS
                    .lock()
                    .unwrap()
                    .insert(key.clone(), (secret.clone(), 0));
                let step = fresh_step(&key).await;
                let code = totp_code(&secret, email, step);
                let response = client
                    .post(format!("{base}/mfa/enrol"))
                    .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "enrolment of {email}");
                let page = response.text().await.unwrap();
                assert!(page.contains("id=\"recovery-codes\""));
                location = field_value(&page, "<p><a href=\"");
            }
            "/mfa" => {
                let page = client.get(format!("{base}/mfa")).send().await.unwrap();
                let page = page.text().await.unwrap();
                let csrf = field_value(&page, "name=\"csrf\" value=\"");
                let secret = secret_of(base, email).expect("an enrolled secret");
                let step = fresh_step(&key).await;
                let code = totp_code(&secret, email, step);
                let response = client
                    .post(format!("{base}/mfa"))
                    .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 303, "second factor of {email}");
                location = response.headers()["location"].to_str().unwrap().to_owned();
            }
            "/password" => {
                let page = client.get(format!("{base}/password")).send().await.unwrap();
                let page = page.text().await.unwrap();
                let csrf = field_value(&page, "name=\"csrf\" value=\"");
                let response = client
                    .post(format!("{base}/password"))
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("current", password),
                        ("new_password", NEW_PASSWORD),
                        ("confirmation", NEW_PASSWORD),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 303, "password change of {email}");
                location = response.headers()["location"].to_str().unwrap().to_owned();
            }
            _ => return location,
        }
    }
    location
}

/// The accounts of a copied database keep their second factor: the copy's server shares the
/// secrets (and the steps used) of the original's.
pub fn share_secret(from_base: &str, to_base: &str, email: &str) {
    let mut secrets = SECRETS.lock().unwrap();
    if let Some(entry) = secrets.get(&format!("{from_base}/{email}")).cloned() {
        secrets.insert(format!("{to_base}/{email}"), entry);
    }
}

/// An asset of the demo, by name.
pub async fn asset_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM assets WHERE name = $1")
        .bind(name)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// A risk of the demo, by title.
pub async fn risk_id(app: &TestApp, title: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM risks WHERE title = $1")
        .bind(title)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// The fields and codes an API error body names, in order.
pub fn error_fields(body: &Value) -> Vec<(String, String)> {
    body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or("").to_owned(),
                        f["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The text of a PDF as poppler's `pdftotext` reads it (installed by `scripts/test.sh`).
pub fn pdf_text(pdf: &[u8]) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("rempart-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
