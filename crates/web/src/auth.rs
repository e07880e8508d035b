//! Who is calling: password checks, session cookies and the `Actor` a request runs as.
//! Sessions live in the database (several `serve` processes share them); the cookie holds a
//! random token whose hash alone is stored.

use std::sync::Arc;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rempart_domain::authz::{allows_somewhere, GrantScope, Permission};
use rempart_domain::language::Language;
use rempart_storage::persons::Person;
use rempart_storage::sessions::Session;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Argon2id with the OWASP-recommended floor (19 MiB, 2 passes, 1 lane): about 20 ms a hash
/// on this class of machine. Hashes run on a few threads of their own, as many as `permits`,
/// behind a semaphore, so that a flood of logins queues instead of exhausting the machine.
/// Dedicated threads rather than tokio's blocking pool: the allocator keeps each thread's
/// freed 19 MiB buffers for reuse, so hashing on whichever of hundreds of blocking threads
/// grew the process to half a gigabyte under a flood; on two threads it stays at two buffers.
#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    permits: Arc<Semaphore>,
    pool: Arc<HashPool>,
    /// Checked when the e-mail is unknown, so that an unknown account costs the same time.
    dummy_hash: Arc<String>,
}

impl PasswordHashing {
    pub fn new(memory_kib: u32, passes: u32, permits: usize) -> Result<Self, AppError> {
        let params = Params::new(memory_kib, passes, 1, None).map_err(AppError::internal)?;
        let dummy = hash_with(&params, &random_token(24))?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(permits.max(1))),
            pool: Arc::new(HashPool::new(permits.max(1))?),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub fn production() -> Result<Self, AppError> {
        Self::new(19 * 1024, 2, 2)
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let params = self.params.clone();
        self.pool.run(move || hash_with(&params, &password)).await?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let ok = self
            .pool
            .run(move || {
                PasswordHash::new(&hash)
                    .map(|parsed| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(ok && known)
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that run hashing jobs in turn.
struct HashPool {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

impl HashPool {
    fn new(threads: usize) -> Result<HashPool, AppError> {
        let (send, receive) = std::sync::mpsc::channel::<Job>();
        let receive = Arc::new(std::sync::Mutex::new(receive));
        for _ in 0..threads {
            let receive = receive.clone();
            std::thread::Builder::new()
                .name("rempart-hash".to_owned())
                .spawn(move || loop {
                    // The lock is held only to take a job; a poisoned lock or a closed
                    // channel (the pool dropped) ends the thread.
                    let job = match receive.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .map_err(AppError::internal)?;
        }
        Ok(HashPool {
            jobs: std::sync::Mutex::new(send),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| AppError::internal("hash pool lock poisoned"))?
            .send(job)
            .map_err(AppError::internal)?;
        answer.await.map_err(AppError::internal)
    }
}

/// Hashes synchronously; for the command line and demo loading.
pub fn hash_with(params: &Params, password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// `bytes` random bytes from the OS, URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A temporary password for an account created by someone else: 20 characters from an
/// alphabet without look-alikes, about 115 bits.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        // Rejection sampling keeps the draw uniform.
        let limit = 256 - (256 % ALPHABET.len());
        if (b[0] as usize) < limit {
            out.push(ALPHABET[b[0] as usize % ALPHABET.len()] as char);
        }
    }
    out
}

/// The person a request runs as, with their grants, loaded once per request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: Person,
    /// The session behind a browser request; for a token request, a stand-in with no CSRF
    /// token, at the full stage.
    pub session: Session,
    pub grants: Vec<GrantScope>,
    /// Set when the request came with a personal API token, with its scope.
    pub token: Option<rempart_domain::token::TokenScope>,
}

impl Actor {
    pub fn can(&self, permission: Permission) -> bool {
        allows_somewhere(&self.grants, permission)
    }

    pub fn language(&self) -> Language {
        self.person.language
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_unknown_accounts_never_verify() {
        let hashing = PasswordHashing::new(1024, 1, 2).unwrap();
        let hash = hashing.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(hashing
            .verify("correct horse battery".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hashing.verify("wrong".into(), Some(hash)).await.unwrap());
        assert!(!hashing.verify("anything".into(), None).await.unwrap());
        let p = temporary_password();
        assert_eq!(p.len(), 20);
        assert_ne!(p, temporary_password());
    }
}
