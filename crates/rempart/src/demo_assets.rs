//! The demo's inventory (ASSET-01, ASSET-02): a few dozen assets per public body, as a
//! ministry and a health agency would list them, with what they run on, who holds them, and
//! classifications, some of them due for review, past their vendor's support, hosted outside
//! Québec or classified lower than what runs on them, so that every flag shows.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rempart_domain::asset::{AssetDraft, AssetInput};
use rempart_domain::classification::{Dic, Scale};
use rempart_storage::scope::Scope;
use rempart_storage::{assets, persons, StoreError, WriteTx};

/// One asset of the demo: name, kind, unit, holder, hosting, identifiers, end of support,
/// what it runs on (names within the same body) and its classification (D, I, C) with how
/// many days ago it was made.
struct DemoAsset {
    name: &'static str,
    kind: &'static str,
    unit: &'static str,
    holder: &'static str,
    hosting: &'static str,
    identifiers: &'static str,
    end_of_support: &'static str,
    runs_on: &'static [&'static str],
    dic: Option<(u8, u8, u8, u64)>,
    personal: (bool, bool),
}

const MFR_TI: &str = "mfr-direction-des-ti";
const MFR_FIN: &str = "mfr-direction-des-finances";
const MFR_CIT: &str = "mfr-direction-des-services-aux-citoyens";
const AFS_TI: &str = "afs-direction-des-ti";
const AFS_CLIN: &str = "afs-direction-clinique";
const AFS_RH: &str = "afs-direction-des-ressources-humaines";
const MORIN: &str = "detenteur@demo.rempart.quebec";
const LEFEBVRE: &str = "detentrice.finances@demo.rempart.quebec";
const DUBE: &str = "detenteur.citoyens@demo.rempart.quebec";
const BERGERON: &str = "detentrice.afs@demo.rempart.quebec";
const CARON: &str = "detenteur.clinique@demo.rempart.quebec";

#[allow(clippy::too_many_arguments)]
const fn a(
    name: &'static str,
    kind: &'static str,
    unit: &'static str,
    holder: &'static str,
    hosting: &'static str,
    identifiers: &'static str,
    end_of_support: &'static str,
    runs_on: &'static [&'static str],
    dic: Option<(u8, u8, u8, u64)>,
    personal: (bool, bool),
) -> DemoAsset {
    DemoAsset {
        name,
        kind,
        unit,
        holder,
        hosting,
        identifiers,
        end_of_support,
        runs_on,
        dic,
        personal,
    }
}

const INFRA: &str = "technological_infrastructure";
const SYSTEM: &str = "information_system";
const BANK: &str = "information_bank";
const NETWORK: &str = "telecom_network";
const PAPER: &str = "paper_media";
const MEDICAL: &str = "medical_equipment_component";
const OWN: &str = "own_data_centre";
const GOV: &str = "government_cloud";
const PREMISES: &str = "premises";
const NO: (bool, bool) = (false, false);
const PI: (bool, bool) = (true, false);
const SENSITIVE: (bool, bool) = (true, true);

/// The ministry's inventory.
#[rustfmt::skip]
const MFR: &[DemoAsset] = &[
    a("Réseau local du siège social", NETWORK, MFR_TI, MORIN, OWN, "10.10.0.0/16\ncpe:2.3:o:cisco:ios:15.2\\(4\\)e1:*:*:*:*:*:*:*", "", &[], Some((3, 2, 2, 100)), NO),
    a("Réseau étendu des bureaux régionaux", NETWORK, MFR_TI, MORIN, GOV, "10.20.0.0/16", "", &[], Some((2, 2, 2, 100)), NO),
    a("Pare-feu périmétrique", INFRA, MFR_TI, MORIN, OWN, "fw-siege-01\n10.10.0.1", "2029-03-31", &["Réseau local du siège social"], Some((3, 3, 3, 100)), NO),
    a("Grappe de virtualisation", INFRA, MFR_TI, MORIN, OWN, "vmw-cl01.mfr.demo.gouv.qc.ca\n10.10.20.0/24\ncpe:2.3:a:vmware:esxi:7.0:*:*:*:*:*:*:*", "2027-10-02", &["Réseau local du siège social"], Some((3, 3, 3, 90)), NO),
    a("Serveurs Windows 2012 R2 hérités", INFRA, MFR_TI, MORIN, OWN, "srv-legacy-01\nsrv-legacy-02\ncpe:2.3:o:microsoft:windows_server_2012:r2:*:*:*:*:*:*:*", "2023-10-10", &["Grappe de virtualisation"], Some((2, 2, 2, 420)), NO),
    a("Stockage centralisé", INFRA, MFR_TI, MORIN, OWN, "san-01.mfr.demo.gouv.qc.ca", "2028-06-30", &["Réseau local du siège social"], Some((3, 3, 3, 90)), NO),
    a("Annuaire Active Directory", SYSTEM, MFR_TI, MORIN, OWN, "dc01.mfr.demo.gouv.qc.ca\ndc02.mfr.demo.gouv.qc.ca", "", &["Grappe de virtualisation"], Some((3, 3, 3, 60)), PI),
    a("Messagerie ministérielle", SYSTEM, MFR_TI, MORIN, GOV, "courriel.mfr.demo.gouv.qc.ca", "", &["Annuaire Active Directory"], Some((2, 2, 3, 60)), PI),
    a("Intranet", SYSTEM, MFR_TI, MORIN, OWN, "intranet.mfr.demo.gouv.qc.ca\npkg:npm/jquery@3.4.1", "", &["Serveurs Windows 2012 R2 hérités"], Some((1, 2, 1, 200)), NO),
    a("Plateforme de sauvegarde", INFRA, MFR_TI, MORIN, OWN, "bkp-01.mfr.demo.gouv.qc.ca", "2030-01-31", &["Stockage centralisé"], Some((2, 3, 3, 60)), NO),
    a("Système de gestion des billets de soutien", SYSTEM, MFR_TI, MORIN, GOV, "soutien.mfr.demo.gouv.qc.ca", "", &["Annuaire Active Directory"], None, PI),
    a("Journalisation centralisée (SIEM)", SYSTEM, MFR_TI, MORIN, OWN, "siem.mfr.demo.gouv.qc.ca\npkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "", &["Grappe de virtualisation", "Stockage centralisé"], Some((2, 3, 3, 30)), PI),
    a("Base de données Oracle ministérielle", INFRA, MFR_TI, MORIN, OWN, "ora-01.mfr.demo.gouv.qc.ca\ncpe:2.3:a:oracle:database_server:19c:*:*:*:*:*:*:*", "2027-04-30", &["Grappe de virtualisation", "Stockage centralisé"], Some((2, 3, 3, 80)), NO),
    a("Système de paie", SYSTEM, MFR_FIN, LEFEBVRE, OWN, "paie.mfr.demo.gouv.qc.ca\n10.10.30.15", "", &["Base de données Oracle ministérielle", "Serveurs Windows 2012 R2 hérités"], Some((3, 3, 3, 120)), SENSITIVE),
    a("Dossiers de paie des employés", BANK, MFR_FIN, LEFEBVRE, OWN, "", "", &["Système de paie"], Some((2, 3, 3, 120)), SENSITIVE),
    a("Système comptable", SYSTEM, MFR_FIN, LEFEBVRE, GOV, "compta.mfr.demo.gouv.qc.ca", "", &["Base de données Oracle ministérielle"], Some((2, 3, 2, 300)), NO),
    a("Registre des fournisseurs", BANK, MFR_FIN, LEFEBVRE, GOV, "", "", &["Système comptable"], Some((1, 3, 2, 300)), PI),
    a("Pièces justificatives papier", PAPER, MFR_FIN, LEFEBVRE, PREMISES, "", "", &[], Some((1, 2, 2, 500)), PI),
    a("Outil d'analyse budgétaire infonuagique", SYSTEM, MFR_FIN, LEFEBVRE, "external_cloud", "budget.exemple-saas.com", "", &[], None, NO),
    a("Portail des citoyens", SYSTEM, MFR_CIT, DUBE, GOV, "portail.mfr.demo.gouv.qc.ca\npkg:npm/lodash@4.17.20", "", &["Annuaire Active Directory"], Some((3, 3, 3, 45)), SENSITIVE),
    a("Dossiers des demandes de permis", BANK, MFR_CIT, DUBE, GOV, "", "", &["Portail des citoyens"], Some((2, 3, 3, 45)), SENSITIVE),
    a("Centre d'appels", SYSTEM, MFR_CIT, DUBE, GOV, "appels.mfr.demo.gouv.qc.ca", "", &["Réseau étendu des bureaux régionaux"], Some((3, 2, 2, 45)), PI),
    a("Formulaires papier reçus", PAPER, MFR_CIT, DUBE, PREMISES, "", "", &[], None, SENSITIVE),
    a("Sondage de satisfaction", SYSTEM, MFR_CIT, DUBE, "external_cloud", "sondage.exemple-saas.com", "", &[], Some((1, 1, 2, 30)), PI),
];

/// The health agency's inventory.
#[rustfmt::skip]
const AFS: &[DemoAsset] = &[
    a("Réseau clinique", NETWORK, AFS_TI, BERGERON, OWN, "172.16.0.0/16", "", &[], Some((3, 3, 2, 60)), NO),
    a("Réseau administratif", NETWORK, AFS_TI, BERGERON, OWN, "172.17.0.0/16", "", &[], Some((2, 2, 2, 60)), NO),
    a("Centre de traitement principal", INFRA, AFS_TI, BERGERON, OWN, "ctp-afs-01", "2029-12-31", &["Réseau administratif"], Some((3, 3, 3, 60)), NO),
    a("Serveurs de bases de données cliniques", INFRA, AFS_TI, BERGERON, OWN, "sql-clin-01.afs.demo.gouv.qc.ca\ncpe:2.3:a:microsoft:sql_server:2016:*:*:*:*:*:*:*", "2026-07-14", &["Centre de traitement principal"], Some((3, 3, 3, 400)), NO),
    a("Annuaire et authentification", SYSTEM, AFS_TI, BERGERON, OWN, "auth.afs.demo.gouv.qc.ca", "", &["Centre de traitement principal"], Some((3, 3, 3, 60)), PI),
    a("Plateforme de sauvegarde de l'agence", INFRA, AFS_TI, BERGERON, OWN, "bkp.afs.demo.gouv.qc.ca", "", &["Centre de traitement principal"], Some((2, 3, 3, 60)), NO),
    a("Postes de travail cliniques", INFRA, AFS_TI, BERGERON, PREMISES, "", "2025-10-14", &["Réseau clinique"], Some((2, 2, 2, 60)), NO),
    a("Dossier clinique informatisé", SYSTEM, AFS_CLIN, CARON, OWN, "dci.afs.demo.gouv.qc.ca\n172.16.10.20", "", &["Serveurs de bases de données cliniques", "Annuaire et authentification"], Some((3, 3, 3, 90)), SENSITIVE),
    a("Dossiers médicaux des usagers", BANK, AFS_CLIN, CARON, OWN, "", "", &["Dossier clinique informatisé"], Some((3, 3, 3, 90)), SENSITIVE),
    a("Imagerie médicale (PACS)", SYSTEM, AFS_CLIN, CARON, OWN, "pacs.afs.demo.gouv.qc.ca", "", &["Réseau clinique", "Centre de traitement principal"], Some((3, 3, 3, 90)), SENSITIVE),
    a("Console de l'appareil d'IRM", MEDICAL, AFS_CLIN, CARON, PREMISES, "irm-console-01\ncpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*", "2020-01-14", &["Réseau clinique"], Some((3, 3, 2, 380)), SENSITIVE),
    a("Pompes à perfusion connectées", MEDICAL, AFS_CLIN, CARON, PREMISES, "172.16.40.0/24", "", &["Réseau clinique"], Some((3, 3, 1, 90)), NO),
    a("Téléconsultation", SYSTEM, AFS_CLIN, CARON, "external_cloud", "teleconsult.exemple-sante.com", "", &["Annuaire et authentification"], Some((2, 3, 3, 90)), SENSITIVE),
    a("Archives cliniques papier", PAPER, AFS_CLIN, CARON, PREMISES, "", "", &[], Some((1, 3, 3, 90)), SENSITIVE),
    a("Prise de rendez-vous en ligne", SYSTEM, AFS_CLIN, CARON, GOV, "rdv.afs.demo.gouv.qc.ca", "", &["Annuaire et authentification"], None, PI),
    a("Système de gestion des ressources humaines", SYSTEM, AFS_RH, BERGERON, GOV, "rh.afs.demo.gouv.qc.ca", "", &["Annuaire et authentification"], Some((2, 3, 3, 90)), SENSITIVE),
    a("Dossiers des employés", BANK, AFS_RH, BERGERON, GOV, "", "", &["Système de gestion des ressources humaines"], Some((1, 3, 3, 90)), SENSITIVE),
    a("Plateforme de recrutement", SYSTEM, AFS_RH, BERGERON, "external_cloud", "emplois.exemple-rh.com", "", &[], None, PI),
];

/// Loads the inventory of both bodies inside the demo's transaction. `ids` maps slugs to
/// organization ids.
pub async fn load(w: &mut WriteTx, ids: &HashMap<&str, i64>) -> Result<(), StoreError> {
    // Classification dates are counted back from the day the demo is loaded, so that the
    // same assets are due for review whatever that day is.
    let today = rempart_web::time::today();
    let scale = Scale::default();
    for body in [MFR, AFS] {
        let mut by_name: HashMap<&str, i64> = HashMap::new();
        for item in body {
            let org_id = *ids.get(item.unit).ok_or(StoreError::NotFound)?;
            let holder_id = persons::id_by_email_in(w, item.holder)
                .await?
                .ok_or(StoreError::NotFound)?;
            let external = item.hosting == "external_cloud";
            let draft = AssetDraft {
                org_id,
                kind: item.kind.to_owned(),
                name: item.name.to_owned(),
                description: String::new(),
                holder_id,
                hosting: item.hosting.to_owned(),
                hosting_provider: if external {
                    "Fournisseur infonuagique (démo)".to_owned()
                } else {
                    String::new()
                },
                hosting_locations: if external {
                    "Montréal\nVirginie (États-Unis)".to_owned()
                } else {
                    String::new()
                },
                outside_quebec: external,
                personal_info: item.personal.0,
                sensitive_info: item.personal.1,
                end_of_support: item.end_of_support.to_owned(),
                retention_rule: if item.personal.0 {
                    "Calendrier de conservation, règle 2.3 (7 ans après la fin du dossier)"
                        .to_owned()
                } else {
                    String::new()
                },
                identifiers: item.identifiers.to_owned(),
            };
            let input: AssetInput = draft.parse().map_err(StoreError::Invalid)?;
            let id = assets::create(w, Scope::LocalAdministrator, input).await?;
            by_name.insert(item.name, id);
            for on in item.runs_on {
                let on_id = *by_name.get(on).ok_or(StoreError::NotFound)?;
                assets::add_dependency(w, Scope::LocalAdministrator, id, on_id).await?;
            }
            if let Some((d, i, c, days_ago)) = item.dic {
                let on: NaiveDate = today.checked_sub_days(Days::new(days_ago)).unwrap_or(today);
                assets::classify(
                    w,
                    holder_id,
                    id,
                    Dic {
                        availability: d,
                        integrity: i,
                        confidentiality: c,
                    },
                    "Classification initiale (démo)",
                    on,
                    &scale,
                )
                .await?;
            }
        }
    }
    Ok(())
}
