//! The command line (PLAT-01). Every command that lists, imports or verifies prints a short
//! summary for people and, with `--json`, JSON for scripts; failures exit non-zero with a
//! French message naming the fault.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rempart_domain::audit::Anchor;
use rempart_storage::audit::{self, AuditFilter};
use rempart_storage::list::PageRequest;
use rempart_storage::orgs::{self, OrgFilter, OrgSort};
use rempart_storage::persons::{self, NewPerson};
use rempart_storage::scope::Scope;
use rempart_storage::{grants, AuditContext, DatabaseUrl, Store};
use rempart_web::auth::{hash_with, temporary_password, PasswordHashing};

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "rempart",
    version,
    about = "Rempart — gouvernance de la sécurité de l'information"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// Dossier des données (fichier SQLite par défaut).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// URL de la base : sqlite:… ou postgres://…
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Fichier de configuration TOML.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Format des journaux : human ou json.
    #[arg(long, global = true)]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sert l'interface web et l'API.
    Serve {
        /// Charge le réseau de démonstration (une seule fois).
        #[arg(long)]
        demo: bool,
        /// Adresse d'écoute (127.0.0.1:8080 par défaut).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Applique les migrations du schéma.
    Migrate {
        #[arg(long)]
        json: bool,
    },
    /// Journal d'audit.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Administration des comptes.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Importe des données depuis un fichier.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Exporte des données dans un fichier.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Courriels de notification (section [mail] de la configuration).
    #[command(subcommand)]
    Mail(MailCommand),
    /// Calcule les scores CVSS 3.0, 3.1 ou 4.0 des vecteurs donnés, ou de ceux lus sur
    /// l'entrée standard (un par ligne) ; code de sortie 1 si un vecteur est refusé.
    Cvss {
        #[arg(long)]
        json: bool,
        /// Vecteurs, par exemple CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H.
        vectors: Vec<String>,
    },
    /// Délais légaux de la Loi sur l'accès (A-2.1) : échéance, règle et article appliqués,
    /// jours fériés sautés.
    #[command(subcommand)]
    Deadline(crate::deadline_command::DeadlineCommand),
    /// Copie toutes les données vers une autre base (vide), puis vérifie la copie.
    CopyData {
        /// URL de la base cible, par exemple postgres://…
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Vérifie la chaîne de hachage du journal.
    Verify {
        /// Fichier d'ancres exportées (lignes JSON {"seq":…,"hash":…}) à retrouver dans la chaîne.
        #[arg(long)]
        anchors: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Exporte le journal.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Fichier de sortie (sortie standard par défaut).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Affiche la tête de chaîne (ancre) à conserver ailleurs.
    Anchor {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Cef,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Importe un inventaire d'actifs (CSV ou XLSX) dans une organisation : tout ou rien,
    /// sauf avec --row-by-row. Les lignes sans unité vont à l'organisation --org.
    Assets {
        /// L'organisation (slug) ; les unités du fichier doivent être sous elle.
        #[arg(long)]
        org: String,
        /// csv ou xlsx ; reconnu d'après le contenu par défaut.
        #[arg(long)]
        format: Option<String>,
        /// Importe les lignes valides et signale les autres.
        #[arg(long)]
        row_by_row: bool,
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Importe un catalogue de mesures de sécurité OSCAL (JSON), ou un profil (référentiel de
    /// base) résolu contre un catalogue déjà importé, pour une organisation et celles sous elle.
    /// Le même fichier importé de nouveau ne change rien.
    Oscal {
        /// L'organisation (slug) qui l'importe.
        #[arg(long)]
        org: String,
        /// Pour un profil : l'identifiant du catalogue contre lequel le résoudre (par défaut,
        /// le dernier importé pour l'organisation ou au-dessus d'elle).
        #[arg(long)]
        catalog: Option<i64>,
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Importe le catalogue des vulnérabilités exploitées connues de la CISA (JSON) et signale
    /// les vulnérabilités qui en relèvent, avec l'échéance fixée par la CISA.
    Kev {
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Importe des enregistrements CVE JSON 5 (fichiers, ou répertoires parcourus) : le CVSS
    /// du CNA ou de la CISA, les CWE et les points de décision SSVC de la CISA, montrés avec
    /// les vulnérabilités qui nomment ces CVE ; une vulnérabilité sans CWE reçoit ceux de ses
    /// CVE. Tout ou rien : un fichier refusé n'enregistre rien.
    Cve {
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Importe des avis de sécurité CSAF 2.0 pour un organisme : chaque avis est comparé aux
    /// composants logiciels (CPE, URL de paquet) des actifs de l'organisme et des unités sous
    /// lui, et le détenteur d'un actif visé est avisé. Le même document importé de nouveau ne
    /// change rien ; un avis mis à jour (même émetteur, même référence) remplace le précédent.
    Csaf {
        /// L'organisme (slug).
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Importe un rapport d'analyse de vulnérabilités (Nessus, Greenbone/OpenVAS, Trivy ou
    /// SARIF) dans un organisme, en une seule transaction : un constat revu met à jour sa date
    /// de dernière observation, un constat absent d'une nouvelle analyse du même hôte est
    /// corrigé, un constat corrigé qui revient est rouvert.
    Scan {
        /// L'organisme (slug).
        #[arg(long)]
        org: String,
        /// nessus, openvas, trivy ou sarif ; reconnu d'après le contenu par défaut.
        #[arg(long)]
        format: Option<String>,
        /// Sévérité en deçà de laquelle un constat est informatif et n'est pas conservé.
        #[arg(long, default_value = "low")]
        min_severity: String,
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Exporte l'inventaire d'une organisation et de ses unités.
    Assets {
        #[arg(long)]
        org: String,
        /// csv ou xlsx.
        #[arg(long)]
        format: String,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Envoie tout de suite un message d'essai avec la section [mail] (activée ou non) et
    /// affiche la réponse du serveur.
    Test {
        /// Adresse du destinataire.
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// Affiche la file d'envoi : messages par état et derniers échecs.
    Queue {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Liste les organisations.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Crée la première organisation et le premier administrateur de la plateforme, avec un
    /// mot de passe à usage unique affiché une seule fois. Refusé s'il existe déjà un
    /// administrateur.
    Bootstrap {
        /// Nom de l'organisation racine.
        #[arg(long)]
        org_name: String,
        /// Type de l'organisation racine : government_centre ou public_body.
        #[arg(long, default_value = "public_body")]
        org_kind: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Crée un jeton d'accès personnel et l'affiche seul sur la sortie standard (pour
    /// l'automatisation).
    CreateToken {
        /// Adresse courriel du titulaire du jeton.
        #[arg(long)]
        user: String,
        /// read ou write.
        #[arg(long)]
        scope: String,
        /// Limite le jeton à un module (répétable) : organizations, people, grants, audit.
        /// Sans cette option, tous les modules.
        #[arg(long = "module")]
        modules: Vec<String>,
        /// Durée de validité : 24h, 7d, 90d… (au plus 365d).
        #[arg(long, default_value = "7d")]
        expires_in: String,
        #[arg(long, default_value = "ligne de commande")]
        name: String,
    },
    /// Retire le deuxième facteur d'une personne (appareil perdu) : elle devra l'activer de
    /// nouveau; ses sessions sont fermées.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
    /// Crée un compte et affiche son mot de passe temporaire.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Identifiant (slug) de l'organisation.
        #[arg(long)]
        org: String,
        /// Rôle attribué sur cette organisation (Ciso, Auditor, …).
        #[arg(long)]
        role: String,
        #[arg(long)]
        json: bool,
    },
}

/// A failure, said in French, naming what is at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        Failure(e.to_string())
    }
}

impl From<rempart_storage::StoreError> for Failure {
    fn from(e: rempart_storage::StoreError) -> Self {
        use rempart_storage::StoreError as E;
        Failure(match e {
            E::NotFound => "élément introuvable".to_owned(),
            E::Conflict { field } => format!("valeur déjà utilisée pour le champ « {field} »"),
            E::Invalid(errors) => errors
                .0
                .iter()
                .map(|f| format!("champ « {} » : {}", f.field, rempart_web::i18n::field_message(rempart_domain::language::Language::Fr, f.code, f.limit)))
                .collect::<Vec<_>>()
                .join("; "),
            E::Tree(t) => rempart_web::i18n::t(rempart_domain::language::Language::Fr, t.code()),
            E::TargetNotEmpty(table) => format!("la base cible n'est pas vide : la table « {table} » contient des lignes"),
            E::CopyMismatch(m) => format!("la vérification de la copie a échoué : {m}"),
            E::SchemaTooNew { found, known } => format!("le schéma de la base (version {found}) est plus récent que ce programme (version {known})"),
            E::UnsupportedUrl(u) => format!("URL de base de données non prise en charge : {u}"),
            E::Database(d) => format!("erreur de base de données : {d}"),
            E::Sqlite(d) => format!("erreur de base de données : {d}"),
            E::Io(i) => format!("erreur d'entrée-sortie : {i}"),
            E::Stale => "l'élément a été modifié entre-temps".to_owned(),
        })
    }
}

impl From<rempart_web::error::AppError> for Failure {
    fn from(e: rempart_web::error::AppError) -> Self {
        let lang = rempart_domain::language::Language::Fr;
        let fields: Vec<String> = e
            .fields()
            .iter()
            .map(|f| {
                format!(
                    "champ « {} » : {}",
                    f.field,
                    rempart_web::i18n::field_message(lang, f.code, f.limit)
                )
            })
            .collect();
        if fields.is_empty() {
            Failure(e.message(lang))
        } else {
            Failure(fields.join("; "))
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(format!("erreur d'entrée-sortie : {e}"))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rempart : impossible de démarrer : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("rempart : {message}");
            ExitCode::FAILURE
        }
    }
}

fn config(common: &Common, listen: Option<String>) -> Result<Config, Failure> {
    Ok(Config::load(
        common.config.as_deref(),
        Overrides {
            listen,
            data_dir: common.data_dir.clone(),
            database_url: common.database_url.clone(),
            log_format: common.log_format.clone(),
        },
    )?)
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REMPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// A file to import, refused before it is read when larger than `max` bytes.
fn read_bounded(file: &std::path::Path, max: usize) -> Result<Vec<u8>, Failure> {
    let unreadable =
        |e: std::io::Error| Failure(format!("impossible de lire {} : {e}", file.display()));
    let size = std::fs::metadata(file).map_err(unreadable)?.len();
    if size > max as u64 {
        return Err(Failure(format!(
            "{} dépasse la taille permise ({max} octets)",
            file.display()
        )));
    }
    std::fs::read(file).map_err(unreadable)
}

/// The store, and the organization an import or export names with `--org`.
async fn store_and_org(
    common: &Common,
    org: &str,
) -> Result<(Store, rempart_storage::orgs::Organization), Failure> {
    let config = config(common, None)?;
    let store = Store::open(&config.database_url, 2).await?;
    let target = orgs::get_by_slug(&store, Scope::LocalAdministrator, org)
        .await
        .map_err(|_| Failure(format!("organisation « {org} » introuvable (option --org)")))?;
    Ok((store, target))
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    println!("{text}");
    Ok(())
}

pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Cvss { json, vectors } => {
            use crate::cvss_command as c;
            let vectors = if vectors.is_empty() {
                c::read_lines(std::io::stdin().lock())?
            } else {
                vectors.into_iter().map(|v| (None, v)).collect()
            };
            let outcomes = c::outcomes(vectors);
            if json {
                print_json(&outcomes)?;
            } else {
                c::print(&outcomes);
            }
            let refused = outcomes
                .iter()
                .any(|o| matches!(o, c::Outcome::Refused { .. }));
            Ok(if refused {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Deadline(cmd) => {
            let settings = match &cli.common.config {
                Some(_) => config(&cli.common, None)?.web.deadlines,
                None => rempart_domain::legal_deadline::DeadlineSettings::default(),
            };
            crate::deadline_command::run(&cmd, &settings)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo, listen } => {
            let config = config(&cli.common, listen)?;
            init_logs(config.json_logs);
            serve(config, demo).await
        }
        Command::Migrate { json } => {
            let config = config(&cli.common, None)?;
            let store = Store::connect(&config.database_url, 2).await?;
            let applied = rempart_storage::migrate::run(&store).await?;
            let version = rempart_storage::migrate::current_version(&store).await?;
            if json {
                print_json(&serde_json::json!({ "applied": applied, "version": version }))?;
            } else {
                println!(
                    "Migrations appliquées : {} ; version du schéma : {version}",
                    applied.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(cmd) => {
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            audit_command(&store, cmd).await
        }
        Command::Import(ImportCommand::Kev { json, file }) => {
            let bytes = read_bounded(&file, rempart_interchange::kev::MAX_BYTES)?;
            let catalogue = rempart_interchange::kev::read(&bytes)
                .map_err(|e| Failure(format!("{} : {e}", file.display())))?;
            let records: Vec<rempart_storage::kev::KevRecord> = catalogue
                .entries
                .iter()
                .map(|e| rempart_storage::kev::KevRecord {
                    cve_id: e.cve_id.clone(),
                    vendor: e.vendor.clone(),
                    product: e.product.clone(),
                    name: e.name.clone(),
                    date_added: e.date_added.format("%Y-%m-%d").to_string(),
                    due_date: e.due_date.map(|d| d.format("%Y-%m-%d").to_string()),
                    required_action: e.required_action.clone(),
                    ransomware: e.ransomware.clone(),
                })
                .collect();
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let report = rempart_storage::kev::import(
                &store,
                AuditContext::system("rempart import kev"),
                &catalogue.version,
                &records,
            )
            .await?;
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "Catalogue KEV {} : {} entrées ({} ajoutées, {} modifiées, {} inchangées) ; {} vulnérabilité(s) signalée(s).",
                    catalogue.version,
                    report.entries,
                    report.added,
                    report.changed,
                    report.unchanged,
                    report.flagged
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Cve { json, paths }) => {
            let mut files = Vec::new();
            for path in &paths {
                if path.is_dir() {
                    let entries = std::fs::read_dir(path).map_err(|e| {
                        Failure(format!("impossible de lire {} : {e}", path.display()))
                    })?;
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "json"))
                        .collect();
                    found.sort();
                    files.extend(found);
                } else {
                    files.push(path.clone());
                }
            }
            let mut rows = Vec::with_capacity(files.len());
            for file in &files {
                let bytes = read_bounded(file, rempart_interchange::cve::MAX_BYTES)?;
                let r = rempart_interchange::cve::read(&bytes)
                    .map_err(|e| Failure(format!("{} : {e}", file.display())))?;
                rows.push(rempart_storage::cve_records::CveRow {
                    cvss_vector: r.cvss.as_ref().map(|c| c.vector.clone()),
                    // Scores are kept in tenths, exact on both engines.
                    cvss_score_tenths: r.cvss.as_ref().map(|c| (c.score * 10.0).round() as i64),
                    cvss_severity: r.cvss.as_ref().map(|c| c.severity.as_str().to_owned()),
                    cvss_source: r.cvss_source,
                    cve_id: r.cve_id,
                    state: r.state,
                    published: r.published,
                    updated: r.updated,
                    title: r.title,
                    description: r.description,
                    cwes: r.cwes,
                    ssvc_exploitation: r.ssvc.exploitation,
                    ssvc_automatable: r.ssvc.automatable,
                    ssvc_technical_impact: r.ssvc.technical_impact,
                });
            }
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let report = rempart_storage::cve_records::import(
                &store,
                AuditContext::system("rempart import cve"),
                &rows,
            )
            .await?;
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "Enregistrements CVE : {} lus ({} ajoutés, {} modifiés, {} inchangés) ; {} vulnérabilité(s) enrichie(s).",
                    report.records, report.added, report.changed, report.unchanged, report.enriched
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Csaf { org, json, files }) => {
            let config = config(&cli.common, None)?;
            let (store, target) = store_and_org(&cli.common, &org).await?;
            let notifier = rempart_storage::inbox::Notifier {
                wording: &rempart_web::gmvi::Words,
                email: config.web.notify_email,
            };
            let mut reports = Vec::new();
            for file in &files {
                let bytes = read_bounded(file, rempart_web::advisories_api::MAX_CSAF_BYTES)?;
                let advisory = rempart_interchange::csaf::read(
                    &bytes,
                    rempart_interchange::csaf::CsafLimits::default(),
                )
                .map_err(|e| Failure(format!("{} : {e}", file.display())))?;
                let sha = rempart_web::advisories_api::document_sha256(&bytes);
                let report = rempart_storage::advisories::record(
                    &store,
                    Scope::LocalAdministrator,
                    AuditContext::system("rempart import csaf"),
                    &notifier,
                    rempart_storage::advisories::Recording {
                        org_id: target.id,
                        advisory: &advisory,
                        source: rempart_storage::advisories::AdvisorySource::Csaf,
                        sha256: Some(&sha),
                    },
                )
                .await?;
                if !json {
                    println!(
                        "{} : avis {} « {} » {} ; {} produit(s), {} CVE ; {} actif(s) visé(s), {} nouveau(x), {} détenteur(s) avisé(s).",
                        file.display(),
                        advisory.tracking_id,
                        advisory.title,
                        if report.unchanged {
                            "inchangé"
                        } else if report.created {
                            "enregistré"
                        } else {
                            "mis à jour"
                        },
                        report.products,
                        report.cves,
                        report.matched_assets,
                        report.new_matches,
                        report.holders_notified
                    );
                }
                reports.push(serde_json::json!({
                    "file": file.display().to_string(),
                    "tracking_id": advisory.tracking_id,
                    "report": report,
                }));
            }
            if json {
                print_json(&reports)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Scan {
            org,
            format,
            min_severity,
            json,
            file,
        }) => {
            let (store, target) = store_and_org(&cli.common, &org).await?;
            let report = crate::scan_command::run(
                &store,
                target.id,
                crate::scan_command::Options {
                    file: &file,
                    format: format.as_deref(),
                    min_severity: &min_severity,
                },
            )
            .await?;
            if json {
                print_json(&report)?;
            } else {
                crate::scan_command::print(&report);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Assets {
            org,
            format,
            row_by_row,
            json,
            file,
        }) => {
            use rempart_interchange::table::{Format, Limits};
            let format = match format.as_deref() {
                None => None,
                Some(f) => Some(Format::parse(f).ok_or_else(|| {
                    Failure(format!(
                        "format « {f} » inconnu (option --format : csv ou xlsx)"
                    ))
                })?),
            };
            let bytes = read_bounded(&file, Limits::default().max_bytes)?;
            let (store, target) = store_and_org(&cli.common, &org).await?;
            let summary = rempart_web::inventory::import(
                &store,
                AuditContext::system("rempart import assets"),
                Scope::LocalAdministrator,
                &bytes,
                format,
                if row_by_row {
                    rempart_storage::inventory_import::ImportMode::RowByRow
                } else {
                    rempart_storage::inventory_import::ImportMode::AllOrNothing
                },
                Some(target.id),
                Some(target.slug.clone()),
                rempart_domain::language::Language::Fr,
            )
            .await?;
            let failed = summary.file_error.is_some() || !summary.faults.is_empty();
            if json {
                print_json(&summary)?;
            } else {
                let out: &mut dyn Write = if failed {
                    &mut std::io::stderr()
                } else {
                    &mut std::io::stdout()
                };
                for f in &summary.faults {
                    writeln!(
                        out,
                        "ligne {}, colonne « {} » : {}",
                        f.line, f.column, f.message
                    )?;
                }
                writeln!(
                    out,
                    "{} : {}",
                    file.display(),
                    rempart_web::inventory::summary_text(
                        rempart_domain::language::Language::Fr,
                        &summary
                    )
                )?;
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Import(ImportCommand::Oscal {
            org,
            catalog,
            json,
            file,
        }) => {
            let bytes = read_bounded(
                &file,
                rempart_interchange::oscal::Limits::default().max_bytes,
            )?;
            let (store, target) = store_and_org(&cli.common, &org).await?;
            let outcome = rempart_web::controls::import(
                &store,
                AuditContext::system("rempart import oscal"),
                Scope::LocalAdministrator,
                target.id,
                None,
                &bytes,
                catalog,
            )
            .await
            .map_err(|e| {
                Failure(format!(
                    "{} : {}",
                    file.display(),
                    e.message(rempart_domain::language::Language::Fr)
                ))
            })?;
            if json {
                print_json(&outcome)?;
            } else {
                let what = if outcome.kind == "catalog" {
                    format!(
                        "catalogue « {} » : {} mesures et améliorations, {} groupes",
                        outcome.title, outcome.imported.controls, outcome.imported.groups
                    )
                } else {
                    format!(
                        "profil « {} » : {} mesures et améliorations retenues (catalogue {})",
                        outcome.title,
                        outcome.imported.controls,
                        outcome.catalog_id.unwrap_or_default()
                    )
                };
                let state = if outcome.imported.unchanged {
                    "déjà importé, rien n'a changé"
                } else {
                    "importé"
                };
                println!(
                    "{} : {what} — {state} (identifiant {}).",
                    file.display(),
                    outcome.imported.id
                );
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(ExportCommand::Assets { org, format, file }) => {
            let format = rempart_interchange::table::Format::parse(&format).ok_or_else(|| {
                Failure(format!(
                    "format « {format} » inconnu (option --format : csv ou xlsx)"
                ))
            })?;
            let (store, target) = store_and_org(&cli.common, &org).await?;
            let (bytes, _, _) = rempart_web::inventory::export(
                &store,
                Scope::LocalAdministrator,
                &rempart_storage::assets::AssetFilter {
                    within: Some(target.id),
                    ..Default::default()
                },
                format,
            )
            .await?;
            std::fs::write(&file, &bytes)
                .map_err(|e| Failure(format!("impossible d'écrire {} : {e}", file.display())))?;
            println!("{} : inventaire de {} exporté", file.display(), target.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Org(OrgCommand::List { json }) => {
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let page = orgs::list(
                &store,
                Scope::LocalAdministrator,
                &OrgFilter {
                    include_archived: true,
                    ..Default::default()
                },
                &PageRequest {
                    limit: i64::MAX / 4,
                    offset: 0,
                    sort: OrgSort::Slug,
                    descending: false,
                },
            )
            .await?;
            if json {
                print_json(&page.items)?;
            } else {
                for o in &page.items {
                    let archived = if o.archived_at.is_some() {
                        " (archivée)"
                    } else {
                        ""
                    };
                    println!(
                        "{:<45} {:<20} {}{archived}",
                        o.slug,
                        o.kind.as_str(),
                        o.name
                    );
                }
                println!("{} organisation(s)", page.total);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Bootstrap {
            org_name,
            org_kind,
            email,
            name,
            json,
        }) => {
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let admins: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE role = 'PlatformAdmin'")
                    .fetch_one(store.pool())
                    .await
                    .map_err(rempart_storage::StoreError::from)?;
            if admins > 0 {
                return Err(Failure(
                    "un administrateur de la plateforme existe déjà : utilisez admin create-user"
                        .to_owned(),
                ));
            }
            let password = temporary_password();
            let hashing = PasswordHashing::production().map_err(|e| Failure(e.to_string()))?;
            let hash =
                hash_with(hashing.params(), &password).map_err(|e| Failure(e.to_string()))?;
            let mut w = store
                .write(AuditContext::system("rempart admin bootstrap"))
                .await?;
            let org = orgs::create(
                &mut w,
                Scope::LocalAdministrator,
                &orgs::NewOrganization {
                    name: org_name,
                    slug: None,
                    kind: org_kind,
                    parent_id: None,
                },
            )
            .await?;
            let person = persons::create(
                &mut w,
                Scope::LocalAdministrator,
                &NewPerson {
                    email,
                    name,
                    org_id: Some(org.id),
                    language: None,
                },
                &hash,
                true,
            )
            .await?;
            grants::create(
                &mut w,
                Scope::LocalAdministrator,
                Some(person.id),
                Some(org.id),
                "PlatformAdmin",
            )
            .await?;
            w.commit().await?;
            if json {
                print_json(
                    &serde_json::json!({ "organization": org.slug, "email": person.email, "one_time_password": password }),
                )?;
            } else {
                println!("Organisation créée : {} ({})", org.name, org.slug);
                println!(
                    "Administrateur de la plateforme : {} ({})",
                    person.name, person.email
                );
                println!("Mot de passe à usage unique, affiché une seule fois : {password}");
                println!("À la première connexion : nouveau mot de passe, puis authentification à deux facteurs.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::CreateToken {
            user,
            scope,
            modules,
            expires_in,
            name,
        }) => {
            let scope =
                rempart_domain::token::TokenScope::parse("scope", &scope, "module", &modules)
                    .map_err(|e| {
                        if e.field == "module" {
                            let known: Vec<&str> = rempart_domain::token::Module::ALL
                                .iter()
                                .map(|m| m.as_str())
                                .collect();
                            Failure(format!(
                                "module inconnu parmi « {} » (option --module : {})",
                                modules.join(", "),
                                known.join(", ")
                            ))
                        } else {
                            Failure(format!(
                                "portée « {scope} » inconnue (option --scope : read ou write)"
                            ))
                        }
                    })?;
            let lifetime = rempart_domain::token::parse_lifetime("expires-in", &expires_in)
                .map_err(|_| Failure(format!("durée « {expires_in} » invalide (option --expires-in : de 1h à 365d, par exemple 7d)")))?;
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let (person, _) = persons::credentials_by_email(&store, &user)
                .await?
                .ok_or_else(|| Failure(format!("aucun compte pour « {user} » (option --user)")))?;
            let token = format!("rmp_{}", rempart_web::auth::random_token(32));
            let mut w = store
                .write(AuditContext::system("rempart admin create-token"))
                .await?;
            let expires_at = w.now().saturating_add(lifetime);
            rempart_storage::tokens::create(
                &mut w,
                rempart_storage::tokens::NewToken {
                    token: &token,
                    person_id: person.id,
                    person_org_id: person.org_id,
                    name: &name,
                    scope: &scope.to_stored(),
                    expires_at,
                },
            )
            .await?;
            w.commit().await?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::ResetMfa { email }) => {
            let config = config(&cli.common, None)?;
            let store = Store::open(&config.database_url, 2).await?;
            let (person, _) = persons::credentials_by_email(&store, &email)
                .await?
                .ok_or_else(|| {
                    Failure(format!("aucun compte pour « {email} » (option --email)"))
                })?;
            let mut w = store
                .write(AuditContext::system("rempart admin reset-mfa"))
                .await?;
            rempart_storage::credentials::set_totp(&mut w, person.id, None).await?;
            rempart_storage::sessions::revoke_all_for(
                &mut w,
                person.id,
                person.org_id,
                None,
                rempart_domain::authn::SessionEnd::MfaReset,
            )
            .await?;
            w.commit().await?;
            println!("Deuxième facteur retiré pour {} : il devra être activé de nouveau à la prochaine connexion.", person.email);
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::CreateUser {
            email,
            name,
            org,
            role,
            json,
        }) => {
            let (store, organization) = store_and_org(&cli.common, &org).await?;
            let password = temporary_password();
            let hashing = PasswordHashing::production().map_err(|e| Failure(e.to_string()))?;
            let hash =
                hash_with(hashing.params(), &password).map_err(|e| Failure(e.to_string()))?;
            let mut w = store
                .write(AuditContext::system("rempart admin create-user"))
                .await?;
            let person = persons::create(
                &mut w,
                Scope::LocalAdministrator,
                &NewPerson {
                    email,
                    name,
                    org_id: Some(organization.id),
                    language: None,
                },
                &hash,
                true,
            )
            .await?;
            grants::create(
                &mut w,
                Scope::LocalAdministrator,
                Some(person.id),
                Some(organization.id),
                &role,
            )
            .await?;
            w.commit().await?;
            if json {
                print_json(
                    &serde_json::json!({ "id": person.id, "email": person.email, "temporary_password": password }),
                )?;
            } else {
                println!(
                    "Compte créé : {} ({}) — rôle {role} sur {}",
                    person.name, person.email, organization.slug
                );
                println!(
                    "Mot de passe temporaire (à changer à la première connexion) : {password}"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail(cmd) => crate::mail::command(&config(&cli.common, None)?, cmd).await,
        Command::CopyData { to, json } => {
            let config = config(&cli.common, None)?;
            let source = Store::open(&config.database_url, 2).await?;
            let target_url = DatabaseUrl::new(to);
            let target = Store::connect(&target_url, 2).await?;
            let report = rempart_storage::copy::copy_all(&source, &target).await?;
            if json {
                print_json(&report)?;
            } else {
                for t in &report.tables {
                    println!("{:<24} {} ligne(s)", t.table, t.rows);
                }
                println!(
                    "Copie vérifiée vers {} : {} entrée(s) du journal, tête de chaîne {}",
                    target_url, report.audit_entries_verified, report.audit_head_seq
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn audit_command(store: &Store, cmd: AuditCommand) -> Result<ExitCode, Failure> {
    match cmd {
        AuditCommand::Verify { anchors, json } => {
            let anchors = match anchors {
                Some(path) => read_anchors(&path)?,
                None => Vec::new(),
            };
            let started = std::time::Instant::now();
            let v = audit::verify(store, &anchors).await?;
            let elapsed = started.elapsed().as_secs_f64();
            if json {
                print_json(&serde_json::json!({
                    "intact": v.is_intact(),
                    "checked": v.checked,
                    "head": v.head,
                    "first_bad": v.first_bad,
                    "missing_anchors": v.missing_anchors,
                    "seconds": elapsed,
                }))?;
            } else if let Some(bad) = v.first_bad {
                let found = bad
                    .found_seq
                    .map(|s| format!(" (trouvée : {s})"))
                    .unwrap_or_default();
                let reason = match bad.fault {
                    rempart_domain::audit::ChainFault::HashMismatch => {
                        "empreinte incorrecte : entrée modifiée ou insérée"
                    }
                    rempart_domain::audit::ChainFault::SequenceGap => {
                        "numéro manquant ou hors d'ordre : entrée supprimée ou déplacée"
                    }
                    rempart_domain::audit::ChainFault::MalformedHash => "empreinte illisible",
                    rempart_domain::audit::ChainFault::Unreadable => {
                        "entrée illisible : valeur d'un type inattendu"
                    }
                    rempart_domain::audit::ChainFault::AnchorMismatch => "ancre absente",
                };
                eprintln!(
                    "Journal d'audit ALTÉRÉ : première entrée fautive n° {}{found} — {reason}",
                    bad.expected_seq
                );
            } else if !v.missing_anchors.is_empty() {
                for a in &v.missing_anchors {
                    eprintln!(
                        "Journal d'audit ALTÉRÉ : l'ancre n° {} ({}) est absente de la chaîne",
                        a.seq, a.hash
                    );
                }
            } else {
                println!("Journal d'audit intègre : {} entrée(s) vérifiée(s) en {elapsed:.3} s ; tête n° {} {}", v.checked, v.head.seq, v.head.hash);
            }
            Ok(if v.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        AuditCommand::Anchor { json } => {
            let head = audit::head(store).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&head).map_err(|e| Failure(e.to_string()))?
                );
            } else {
                println!("Ancre : n° {} {}", head.seq, head.hash);
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export { format, output } => {
            let mut out: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            if let ExportFormat::Csv = format {
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_record([
                    "seq",
                    "at",
                    "actor_id",
                    "actor_label",
                    "source",
                    "org_id",
                    "action",
                    "entity_type",
                    "entity_id",
                    "before",
                    "after",
                    "hash",
                ])
                .map_err(|e| Failure(e.to_string()))?;
                out.write_all(&w.into_inner().map_err(|e| Failure(e.to_string()))?)?;
            }
            let n = audit::for_each(
                store,
                Scope::LocalAdministrator,
                &AuditFilter::default(),
                |s| {
                    let e = &s.entry;
                    match format {
                        ExportFormat::Json => {
                            let line = serde_json::to_string(s).map_err(std::io::Error::other)?;
                            writeln!(out, "{line}")
                        }
                        ExportFormat::Csv => {
                            let mut w = csv::Writer::from_writer(Vec::new());
                            // Text typed by anyone (a login e-mail) reaches the trail:
                            // written so that no spreadsheet runs it. The JSON export keeps
                            // the exact values.
                            let safe = |t: &str| rempart_domain::export::neutralize(t).into_owned();
                            w.write_record([
                                e.seq.to_string(),
                                rempart_web::time::iso(e.at_micros),
                                e.actor_id.map(|v| v.to_string()).unwrap_or_default(),
                                safe(&e.actor_label),
                                safe(&e.source),
                                e.org_id.map(|v| v.to_string()).unwrap_or_default(),
                                safe(&e.action),
                                safe(&e.entity_type),
                                safe(&e.entity_id),
                                safe(e.before.as_deref().unwrap_or_default()),
                                safe(e.after.as_deref().unwrap_or_default()),
                                s.hash.clone(),
                            ])
                            .map_err(std::io::Error::other)?;
                            out.write_all(
                                &w.into_inner()
                                    .map_err(|e| std::io::Error::other(e.to_string()))?,
                            )
                        }
                        ExportFormat::Cef => writeln!(out, "{}", cef_line(s)),
                    }
                },
            )
            .await?;
            out.flush()?;
            if output.is_some() {
                println!("{n} entrée(s) exportée(s)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Escapes a CEF extension value: backslash, equals sign and line breaks.
fn cef_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// Escapes a CEF header field: backslash and pipe.
fn cef_header(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|")
}

pub fn cef_line(s: &audit::StoredEntry) -> String {
    let e = &s.entry;
    let severity = if e.action.starts_with("auth.login_failed") {
        5
    } else {
        3
    };
    format!(
        "CEF:0|Rempart|Rempart|{}|{}|{}|{severity}|rt={} suser={} src={} act={} cs1Label=entity cs1={} cs2Label=entityId cs2={} cs3Label=hash cs3={} cn1Label=seq cn1={}",
        env!("CARGO_PKG_VERSION"),
        cef_header(&e.action),
        cef_header(&e.action),
        e.at_micros / 1000,
        cef_value(&e.actor_label),
        cef_value(&e.source),
        cef_value(&e.action),
        cef_value(&e.entity_type),
        cef_value(&e.entity_id),
        s.hash,
        e.seq
    )
}

fn read_anchors(path: &std::path::Path) -> Result<Vec<Anchor>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure(format!(
            "impossible de lire le fichier d'ancres {} : {e}",
            path.display()
        ))
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<Anchor>(l).map_err(|e| {
                Failure(format!(
                    "fichier d'ancres {}, ligne {} : {e}",
                    path.display(),
                    i + 1
                ))
            })
        })
        .collect()
}

async fn serve(config: Config, demo: bool) -> Result<ExitCode, Failure> {
    let store = Store::open(&config.database_url, 16).await?;
    let hashing = PasswordHashing::production().map_err(|e| Failure(e.to_string()))?;
    if demo {
        let hash = hash_with(hashing.params(), crate::demo::DEMO_PASSWORD)
            .map_err(|e| Failure(e.to_string()))?;
        let loaded = crate::demo::load(&store, &hash).await?;
        println!(
            "{}",
            if loaded {
                "Données de démonstration chargées."
            } else {
                "Données de démonstration déjà présentes."
            }
        );
        println!(
            "Comptes de démonstration (mot de passe : {}) :",
            crate::demo::DEMO_PASSWORD
        );
        for a in crate::demo::ACCOUNTS {
            let mfa = if a.role.is_privileged() {
                "  (rôle privilégié : authentification à deux facteurs à activer à la première connexion)"
            } else {
                ""
            };
            println!("  {:<36} {}{mfa}", a.email, a.role.as_str());
        }
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Failure(format!("impossible d'écouter sur {} : {e}", config.listen)))?;
    let state = crate::server::state(store.clone(), &config, hashing).map_err(|e| {
        Failure(format!(
            "configuration de l'authentification unique invalide : {e}"
        ))
    })?;
    let router = rempart_web::build_router(state);
    println!(
        "Rempart écoute sur http://{} (base : {})",
        config.listen, config.database_url
    );
    let jobs = tokio::spawn(crate::server::scheduler_loop(
        store.clone(),
        config.web.notify_email,
        config.web.deadlines.confidentiality_reminder_days,
    ));
    let mail = match config.mail.as_ref().filter(|m| m.enabled) {
        Some(settings) => {
            let mailer = crate::mail::Mailer::new(settings).map_err(Failure)?;
            tracing::info!("courriels envoyés par {}", mailer.server);
            Some(tokio::spawn(crate::server::mail_loop(
                store.clone(),
                mailer,
            )))
        }
        None => None,
    };
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(crate::server::shutdown_signal())
    .await?;
    jobs.abort();
    if let Some(mail) = mail {
        mail.abort();
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
