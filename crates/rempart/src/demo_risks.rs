//! The demo's risk register (RISK-01 to RISK-04): a few risks per public body, as a ministry
//! and a health agency would record them, in every state: being drafted, put forward,
//! approved by the holder or (above the threshold) by the chief executive, with actions on
//! time and overdue, and one assessed long ago that the daily job flags for reassessment.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rempart_domain::indicator::ProjectInput;
use rempart_domain::risk::{ActionInput, ActionStatus, Impacts, Rating, RiskInput, Treatment};
use rempart_storage::indicators;
use rempart_storage::scope::Scope;
use rempart_storage::{persons, risks, StoreError, WriteTx};

#[derive(Clone, Copy)]
enum State {
    Draft,
    Proposed {
        by: &'static str,
    },
    Approved {
        by: &'static str,
        approver: &'static str,
    },
}

struct DemoRisk {
    org: &'static str,
    title: &'static str,
    threat: &'static str,
    vulnerability: &'static str,
    existing: &'static str,
    owner: &'static str,
    assets: &'static [&'static str],
    gross: (u8, u8, u8, u8),
    treatment: Option<Treatment>,
    residual: Option<(u8, u8, u8, u8)>,
    residual_description: &'static str,
    /// Title, owner, due in days from today (negative: overdue), status, controls.
    actions: &'static [(
        &'static str,
        &'static str,
        i64,
        ActionStatus,
        &'static [&'static str],
    )],
    state: State,
    assessed_days_ago: u64,
}

const CSIO: &str = "csio@demo.rempart.quebec";
const CHIEF: &str = "dirigeant@demo.rempart.quebec";
const MORIN: &str = "detenteur@demo.rempart.quebec";
const LEFEBVRE: &str = "detentrice.finances@demo.rempart.quebec";
const DUBE: &str = "detenteur.citoyens@demo.rempart.quebec";
const BERGERON: &str = "detentrice.afs@demo.rempart.quebec";
const CARON: &str = "detenteur.clinique@demo.rempart.quebec";
use ActionStatus::{InProgress, Planned};
use Treatment::{Accept, Mitigate, Transfer};

const RISKS: &[DemoRisk] = &[
    DemoRisk {
        org: "ministere-fictif-des-ressources",
        title: "Rançongiciel sur les serveurs Windows hérités",
        threat: "Groupe criminel qui chiffre les serveurs et exige une rançon",
        vulnerability: "Windows Server 2012 R2 sans correctifs de sécurité depuis octobre 2023",
        existing: "Antivirus à jour; sauvegardes hebdomadaires sur la plateforme de sauvegarde",
        owner: CSIO,
        assets: &["Serveurs Windows 2012 R2 hérités", "Intranet"],
        gross: (4, 3, 3, 2),
        treatment: Some(Mitigate),
        residual: Some((2, 3, 3, 2)),
        residual_description: "Serveurs isolés puis retirés; l'intranet migré sur la grappe à jour",
        actions: &[
            (
                "Migrer l'intranet vers la grappe de virtualisation",
                MORIN,
                90,
                InProgress,
                &["cm-8", "si-2"],
            ),
            (
                "Isoler les serveurs hérités dans un segment dédié",
                MORIN,
                -10,
                Planned,
                &["sc-7"],
            ),
        ],
        state: State::Proposed { by: CSIO },
        assessed_days_ago: 20,
    },
    DemoRisk {
        org: "mfr-direction-des-ti",
        title: "Vol d'identifiants de la messagerie",
        threat: "Hameçonnage ciblant les employés",
        vulnerability: "Authentification par mot de passe seul pour la messagerie",
        existing: "Filtrage des courriels entrants; sensibilisation annuelle",
        owner: MORIN,
        assets: &["Messagerie ministérielle", "Annuaire Active Directory"],
        gross: (4, 2, 3, 4),
        treatment: Some(Mitigate),
        residual: Some((2, 2, 3, 4)),
        residual_description: "Authentification multifacteur pour tous les comptes",
        actions: &[(
            "Authentification multifacteur pour tous les comptes",
            MORIN,
            30,
            InProgress,
            &["ia-2.1", "ia-2.2"],
        )],
        state: State::Approved {
            by: CSIO,
            approver: MORIN,
        },
        assessed_days_ago: 60,
    },
    DemoRisk {
        org: "mfr-direction-des-finances",
        title: "Détournement des dépôts de paie",
        threat: "Fraudeur qui fait changer le compte bancaire d'un employé",
        vulnerability: "Changement de compte accepté sur simple courriel",
        existing: "Rapprochement mensuel des paies",
        owner: LEFEBVRE,
        assets: &["Système de paie", "Dossiers de paie des employés"],
        gross: (3, 2, 4, 4),
        treatment: Some(Mitigate),
        residual: Some((2, 2, 4, 3)),
        residual_description: "Double validation des changements de compte par téléphone",
        actions: &[(
            "Double validation des changements de compte bancaire",
            LEFEBVRE,
            45,
            Planned,
            &["ac-5"],
        )],
        state: State::Approved {
            by: CSIO,
            approver: LEFEBVRE,
        },
        assessed_days_ago: 90,
    },
    DemoRisk {
        org: "mfr-direction-des-services-aux-citoyens",
        title: "Fuite de renseignements personnels par le portail des citoyens",
        threat: "Exploitation d'une faille applicative du portail",
        vulnerability: "Bibliothèque lodash 4.17.20 vulnérable; pièces jointes non chiffrées",
        existing: "Pare-feu applicatif; revue de code",
        owner: DUBE,
        assets: &["Portail des citoyens", "Dossiers des demandes de permis"],
        gross: (3, 2, 3, 5),
        treatment: Some(Mitigate),
        residual: Some((2, 2, 3, 5)),
        residual_description:
            "Le risque demeure au-delà du seuil : l'impact d'une fuite reste critique",
        actions: &[
            (
                "Test d'intrusion annuel du portail",
                DUBE,
                60,
                Planned,
                &["ca-8"],
            ),
            (
                "Chiffrement des pièces jointes au repos",
                DUBE,
                120,
                Planned,
                &["sc-28"],
            ),
        ],
        state: State::Approved {
            by: CSIO,
            approver: CHIEF,
        },
        assessed_days_ago: 30,
    },
    DemoRisk {
        org: "mfr-direction-des-services-aux-citoyens",
        title: "Indisponibilité prolongée du centre d'appels",
        threat: "Panne du réseau étendu des bureaux régionaux",
        vulnerability: "Un seul lien vers les bureaux régionaux",
        existing: "Contrat de service avec le fournisseur du réseau",
        owner: DUBE,
        assets: &["Centre d'appels"],
        gross: (2, 4, 1, 1),
        treatment: Some(Accept),
        residual: Some((2, 4, 1, 1)),
        residual_description: "Accepté : les citoyens peuvent joindre le ministère par le portail",
        actions: &[],
        state: State::Draft,
        assessed_days_ago: 400,
    },
    DemoRisk {
        org: "mfr-direction-des-finances",
        title: "Données budgétaires hébergées hors Québec",
        threat: "Communication de renseignements à une autorité étrangère",
        vulnerability: "Fournisseur infonuagique qui réplique les données en Virginie",
        existing: "Aucune",
        owner: LEFEBVRE,
        assets: &["Outil d'analyse budgétaire infonuagique"],
        gross: (3, 1, 2, 4),
        treatment: Some(Transfer),
        residual: Some((2, 1, 2, 3)),
        residual_description: "Clauses contractuelles de localisation et de notification",
        actions: &[(
            "Clauses contractuelles de localisation des données",
            LEFEBVRE,
            -30,
            InProgress,
            &["sa-9.5"],
        )],
        state: State::Draft,
        assessed_days_ago: 15,
    },
    DemoRisk {
        org: "afs-direction-clinique",
        title: "Attaque sur la console d'IRM non supportée",
        threat: "Logiciel malveillant qui se propage sur le réseau clinique",
        vulnerability: "Windows 7 sans support depuis janvier 2020",
        existing: "Aucun accès Internet depuis la console",
        owner: CARON,
        assets: &["Console de l'appareil d'IRM"],
        gross: (4, 4, 3, 3),
        treatment: Some(Mitigate),
        residual: Some((3, 4, 3, 3)),
        residual_description: "Appareil isolé dans un segment dédié en attendant son remplacement",
        actions: &[(
            "Segmenter l'appareil d'IRM du réseau clinique",
            CARON,
            30,
            Planned,
            &["sc-7"],
        )],
        state: State::Proposed { by: BERGERON },
        assessed_days_ago: 10,
    },
    DemoRisk {
        org: "agence-fictive-de-la-sante",
        title: "Rançongiciel sur le dossier clinique informatisé",
        threat: "Groupe criminel qui vise les établissements de santé",
        vulnerability: "Serveurs de bases de données cliniques en fin de support",
        existing: "Sauvegardes quotidiennes en ligne",
        owner: BERGERON,
        assets: &[
            "Dossier clinique informatisé",
            "Dossiers médicaux des usagers",
        ],
        gross: (4, 5, 4, 4),
        treatment: Some(Mitigate),
        residual: Some((2, 5, 4, 4)),
        residual_description: "Sauvegardes hors ligne et restauration éprouvée",
        actions: &[
            (
                "Sauvegardes hors ligne quotidiennes",
                BERGERON,
                20,
                InProgress,
                &["cp-9"],
            ),
            (
                "Exercice de restauration semestriel",
                CARON,
                75,
                Planned,
                &["cp-4"],
            ),
        ],
        state: State::Draft,
        assessed_days_ago: 5,
    },
    DemoRisk {
        org: "afs-direction-des-ressources-humaines",
        title: "Accès non autorisé aux dossiers des employés",
        threat: "Employé curieux ou malveillant",
        vulnerability: "Droits d'accès revus une fois l'an",
        existing: "Journalisation des consultations",
        owner: BERGERON,
        assets: &["Dossiers des employés"],
        gross: (2, 1, 3, 4),
        treatment: Some(Accept),
        residual: Some((2, 1, 3, 4)),
        residual_description: "Accepté : revue annuelle des accès et journalisation",
        actions: &[],
        state: State::Approved {
            by: CARON,
            approver: BERGERON,
        },
        assessed_days_ago: 100,
    },
];

fn rating((likelihood, availability, integrity, confidentiality): (u8, u8, u8, u8)) -> Rating {
    Rating {
        likelihood,
        impacts: Impacts {
            availability,
            integrity,
            confidentiality,
        },
    }
}

async fn person(w: &mut WriteTx, email: &str) -> Result<i64, StoreError> {
    persons::id_by_email_in(w, email)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Loads the register inside the demo's transaction, after the inventory. `ids` maps slugs
/// to organization ids.
pub async fn load(w: &mut WriteTx, ids: &HashMap<&str, i64>) -> Result<(), StoreError> {
    let today = rempart_web::time::today();
    let days = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    for r in RISKS {
        let org_id = *ids.get(r.org).ok_or(StoreError::NotFound)?;
        let mut asset_ids = Vec::with_capacity(r.assets.len());
        for name in r.assets {
            let id: i64 = sqlx::query_scalar("SELECT id FROM assets WHERE name = $1")
                .bind(*name)
                .fetch_one(w.conn())
                .await?;
            asset_ids.push(id);
        }
        let mut actions = Vec::with_capacity(r.actions.len());
        for (title, owner, due_in, status, controls) in r.actions {
            let due_on: NaiveDate = if *due_in >= 0 {
                today.checked_add_days(Days::new(due_in.unsigned_abs()))
            } else {
                today.checked_sub_days(Days::new(due_in.unsigned_abs()))
            }
            .unwrap_or(today);
            actions.push(ActionInput {
                title: (*title).to_owned(),
                owner_id: person(w, owner).await?,
                due_on,
                status: *status,
                controls: controls.iter().map(|c| (*c).to_owned()).collect(),
            });
        }
        let input = RiskInput {
            org_id,
            title: r.title.to_owned(),
            description: String::new(),
            threat: r.threat.to_owned(),
            vulnerability: r.vulnerability.to_owned(),
            existing_controls: r.existing.to_owned(),
            owner_id: person(w, r.owner).await?,
            asset_ids,
            gross: rating(r.gross),
            treatment: r.treatment,
            residual: r.residual.map(rating),
            residual_description: r.residual_description.to_owned(),
            actions,
        };
        let assessed = days(r.assessed_days_ago);
        let id = risks::create(w, Scope::LocalAdministrator, input, assessed).await?;
        match r.state {
            State::Draft => {}
            State::Proposed { by } => {
                let by = person(w, by).await?;
                risks::propose(w, Scope::LocalAdministrator, id, by).await?;
            }
            State::Approved { by, approver } => {
                let by = person(w, by).await?;
                risks::propose(w, Scope::LocalAdministrator, id, by).await?;
                let approver = person(w, approver).await?;
                risks::approve(
                    w,
                    approver,
                    id,
                    "Risque résiduel accepté au vu du plan de traitement (démo)",
                    assessed,
                )
                .await?;
            }
        }
    }
    // What the daily job would have found: the assessment made long ago is due.
    risks::flag_due(w, today).await?;
    projects(w, ids, today).await
}

/// Two projects of the ministry for the "assessed before go-live" indicator: one going live
/// in two months whose risks are assessed, one that went live last week without any.
async fn projects(
    w: &mut WriteTx,
    ids: &HashMap<&str, i64>,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let citizens = *ids
        .get("mfr-direction-des-services-aux-citoyens")
        .ok_or(StoreError::NotFound)?;
    let finances = *ids
        .get("mfr-direction-des-finances")
        .ok_or(StoreError::NotFound)?;
    let date = |d: Option<NaiveDate>| d.unwrap_or(today).to_string();
    let portal = indicators::create_project(
        w,
        Scope::LocalAdministrator,
        ProjectInput {
            org_id: citizens,
            name: "Refonte du portail des citoyens".to_owned(),
            description: "Nouvelle version du portail et des formulaires en ligne".to_owned(),
            go_live_on: date(today.checked_add_days(Days::new(60))),
        },
    )
    .await?;
    let risk: i64 = sqlx::query_scalar("SELECT id FROM risks WHERE title = $1")
        .bind("Fuite de renseignements personnels par le portail des citoyens")
        .fetch_one(w.conn())
        .await?;
    indicators::link_risk(w, Scope::LocalAdministrator, portal, risk).await?;
    indicators::create_project(
        w,
        Scope::LocalAdministrator,
        ProjectInput {
            org_id: finances,
            name: "Tableau de bord budgétaire".to_owned(),
            description: "Mis en service sans évaluation des risques".to_owned(),
            go_live_on: date(today.checked_sub_days(Days::new(7))),
        },
    )
    .await?;
    Ok(())
}
