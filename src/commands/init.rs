//! `utfall init`: a guided set-up in the article's order — who, why, what, how.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context as _;
use dialoguer::{Confirm, Input, MultiSelect, Select};
use utfall_model::library::Library;
use utfall_model::locale::Locale;
use utfall_model::template::{KpiPlan, Plan, Template};

use crate::cli::{InitArgs, Lang, TemplateArg};
use crate::output::UserError;

pub fn run(args: InitArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    if args.dir.join("utfall.toml").exists() && !args.force {
        return Err(UserError::new(format!(
            "`{}` already holds a Utfall workspace",
            args.dir.display()
        ))
        .hint("use `--force` to overwrite its definition files, or choose another folder")
        .into());
    }
    let template = match args.template {
        TemplateArg::B2b => Template::B2b,
        TemplateArg::Ecommerce => Template::Ecommerce,
        TemplateArg::Events => Template::Events,
    };
    let today = args
        .today
        .unwrap_or_else(|| utfall_app::session::today_in_default_zone(utfall_app::Clock::System));
    let default_name = args
        .name
        .clone()
        .unwrap_or_else(|| "Nordkraft AB".to_string());
    let plan = if args.yes {
        Plan::from_template(template, &default_name, today)
    } else {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(UserError::new("`utfall init` asks questions, but this is not a terminal")
                .hint("run it in a terminal, or pass `--yes` (and `--template b2b|ecommerce|events`) to accept the defaults")
                .into());
        }
        let locale = super::locale(lang, None);
        guided(template, &default_name, today, locale).context("the guided set-up stopped")?
    };

    let created = utfall_app::definitions::create_workspace(&args.dir, &plan, args.force)?;
    eprintln!(
        "created a Utfall workspace in `{}`: {} goals, {} KPIs, {} sources, {} activities",
        args.dir.display(),
        created.goals,
        created.kpis,
        created.sources,
        created.activities
    );
    if created.has_errors {
        eprintln!(
            "warning: the new workspace has problems; run `utfall check {}`",
            args.dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    eprintln!(
        "next: `utfall check {0}`, `utfall kpi tree {0}`, and edit the files to fit your company",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn text(locale: Locale, sv: &str, en: &str) -> String {
    locale.say(sv, en).to_string()
}

/// The workshop: each step starts from the template and lets the team change it.
fn guided(
    template: Template,
    name: &str,
    today: jiff::civil::Date,
    locale: Locale,
) -> Result<Plan, dialoguer::Error> {
    let t = |sv: &str, en: &str| text(locale, sv, en);
    let templates = ["b2b", "ecommerce", "events"];
    let chosen = Select::new()
        .with_prompt(t("Vilken sorts verksamhet?", "What kind of business?"))
        .items(templates)
        .default(
            Template::ALL
                .iter()
                .position(|x| *x == template)
                .unwrap_or(0),
        )
        .interact()?;
    let template = Template::ALL[chosen];
    let company: String = Input::new()
        .with_prompt(t("Företagets namn", "Company name"))
        .default(name.to_string())
        .interact_text()?;
    let mut plan = Plan::from_template(template, &company, today);
    plan.brand = Input::new()
        .with_prompt(t(
            "Ert varumärke (för kännedomsmätningar)",
            "Your brand (for awareness surveys)",
        ))
        .default(plan.brand.clone())
        .interact_text()?;
    plan.currency = Input::new()
        .with_prompt(t("Valuta", "Currency"))
        .default(plan.currency.clone())
        .interact_text()?;
    who(&mut plan, locale)?;
    why(&mut plan, locale)?;
    what(&mut plan, locale)?;
    how(&mut plan, locale)?;
    if !Confirm::new()
        .with_prompt(t("Skapa arbetsytan?", "Create the workspace?"))
        .default(true)
        .interact()?
    {
        return Err(dialoguer::Error::IO(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "cancelled",
        )));
    }
    Ok(plan)
}

/// 1. Who takes part, and for whom.
fn who(plan: &mut Plan, locale: Locale) -> Result<(), dialoguer::Error> {
    let t = |sv: &str, en: &str| text(locale, sv, en);
    eprintln!(
        "\n{}",
        t(
            "1. Vilka? Vem är med och för vem tas KPI:erna fram?",
            "1. Who? Who takes part, and for whom are the KPIs?"
        )
    );
    for person in &mut plan.people {
        person.name = Input::new()
            .with_prompt(format!("{} ({})", person.role, person.department))
            .default(person.name.clone())
            .interact_text()?;
    }
    let departments = [
        "marketing",
        "sales",
        "management",
        "ecommerce",
        "product",
        "customer_success",
        "finance",
    ];
    let defaults: Vec<bool> = departments
        .iter()
        .map(|d| plan.departments.iter().any(|x| x == d))
        .collect();
    let picked = MultiSelect::new()
        .with_prompt(t("Avdelningar som deltar", "Departments taking part"))
        .items(departments)
        .defaults(&defaults)
        .interact()?;
    plan.departments = picked
        .into_iter()
        .map(|i| departments[i].to_string())
        .collect();
    Ok(())
}

/// 2. Why: the goals.
fn why(plan: &mut Plan, locale: Locale) -> Result<(), dialoguer::Error> {
    let t = |sv: &str, en: &str| text(locale, sv, en);
    eprintln!(
        "\n{}",
        t(
            "2. Varför? Vilka mål i affärsplanen ska marknadsföringen bidra till?",
            "2. Why? Which business-plan goals does marketing serve?"
        )
    );
    let goal_names: Vec<String> = plan
        .goals
        .iter()
        .map(|g| {
            if locale == Locale::Sv {
                g.name_sv.clone()
            } else {
                g.name_en.clone()
            }
        })
        .collect();
    let keep = MultiSelect::new()
        .with_prompt(t("Mål att behålla", "Goals to keep"))
        .items(&goal_names)
        .defaults(&vec![true; goal_names.len()])
        .interact()?;
    let dropped: Vec<String> = plan
        .goals
        .iter()
        .enumerate()
        .filter(|(i, _)| !keep.contains(i))
        .map(|(_, g)| g.id.clone())
        .collect();
    plan.goals.retain(|g| !dropped.contains(&g.id));
    drop_goal_trees(plan, &dropped);
    Ok(())
}

/// 3. What: KPIs per goal, from the library.
fn what(plan: &mut Plan, locale: Locale) -> Result<(), dialoguer::Error> {
    let t = |sv: &str, en: &str| text(locale, sv, en);
    eprintln!(
        "\n{}",
        t(
            "3. Vad? Bryt ned målen i mätbara KPI:er.",
            "3. What? Break the goals down into measurable KPIs."
        )
    );
    let library = Library::get();
    let goal_ids: Vec<String> = plan.goals.iter().map(|g| g.id.clone()).collect();
    for goal in goal_ids {
        let present: Vec<String> = plan.kpis.iter().map(|k| k.id.clone()).collect();
        let candidates: Vec<&str> = library
            .entries
            .iter()
            .map(|e| e.id())
            .filter(|id| !present.iter().any(|p| p == id))
            .collect();
        let labels: Vec<String> = candidates
            .iter()
            .map(|id| {
                format!(
                    "{id} — {}",
                    library
                        .entry(id)
                        .map_or("", |e| e.def.name.get_ref().get(locale))
                )
            })
            .collect();
        let extra = MultiSelect::new()
            .with_prompt(format!(
                "{} `{goal}`",
                t("Fler KPI:er för målet", "More KPIs for the goal")
            ))
            .items(&labels)
            .max_length(12)
            .interact()?;
        for index in extra {
            plan.kpis.push(KpiPlan {
                id: candidates[index].to_string(),
                goal: Some(goal.clone()),
                owners: vec![plan.people[0].id.clone()],
                ..KpiPlan::default()
            });
        }
    }
    Ok(())
}

/// 4. How: the sources.
fn how(plan: &mut Plan, locale: Locale) -> Result<(), dialoguer::Error> {
    let t = |sv: &str, en: &str| text(locale, sv, en);
    eprintln!(
        "\n{}",
        t(
            "4. Hur? Vilka system mäter bäst?",
            "4. How? Which systems measure best?"
        )
    );
    let source_labels: Vec<String> = plan
        .sources
        .iter()
        .map(|s| format!("{} ({})", s.name, s.preset))
        .collect();
    let keep = MultiSelect::new()
        .with_prompt(t("Källor", "Sources"))
        .items(&source_labels)
        .defaults(&vec![true; source_labels.len()])
        .interact()?;
    let kept: Vec<String> = plan
        .sources
        .iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, s)| s.name.clone())
        .collect();
    plan.sources.retain(|s| kept.contains(&s.name));
    for kpi in &mut plan.kpis {
        kpi.sources.retain(|s| kept.contains(s));
    }
    Ok(())
}

/// Removes the KPIs serving dropped goals, with everything below them.
fn drop_goal_trees(plan: &mut Plan, dropped_goals: &[String]) {
    let mut removed: Vec<String> = plan
        .kpis
        .iter()
        .filter(|k| k.goal.as_ref().is_some_and(|g| dropped_goals.contains(g)))
        .map(|k| k.id.clone())
        .collect();
    loop {
        let more: Vec<String> = plan
            .kpis
            .iter()
            .filter(|k| {
                !removed.contains(&k.id) && k.parent.as_ref().is_some_and(|p| removed.contains(p))
            })
            .map(|k| k.id.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        removed.extend(more);
    }
    plan.kpis.retain(|k| !removed.contains(&k.id));
}
