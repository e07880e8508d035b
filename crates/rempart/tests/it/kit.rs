use std::sync::Arc;

use rempart::demo;
use rempart_storage::{testing, DatabaseUrl, Store};
use rempart_web::auth::{hash_with, PasswordHashing};
use rempart_web::metrics::Metrics;
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
    PasswordHashing::new(1024, 1, 8).unwrap()
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
        let state = AppState {
            store: store.clone(),
            config: Arc::new(WebConfig::default()),
            hashing,
            metrics: Arc::new(Metrics::new()),
            policies: Arc::default(),
        };
        let (router, _) = rempart_web::routes::assemble(routes, state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
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
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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

/// Demo accounts by role, for the matrix tests.
pub const CSIO_A: &str = "csio@demo.rempart.quebec";
pub const ADMIN: &str = "admin@demo.rempart.quebec";
pub const AUDITOR: &str = "auditeur@demo.rempart.quebec";
pub const USER_A: &str = "utilisateur@demo.rempart.quebec";
pub const PRIVACY_B: &str = "rprp@demo.rempart.quebec";
pub const BODY_A: &str = "ministere-fictif-des-ressources";
pub const BODY_B: &str = "agence-fictive-de-la-sante";
pub const UNIT_A: &str = "mfr-direction-des-ti";
pub const UNIT_B: &str = "afs-direction-des-ti";
