//! What an end-to-end run shows a person: invariant checks with clear failures, and a
//! self-contained HTML report with charts of incentive, dividends and scores.

use std::fmt::Write as _;

use super::{EpochReport, MinerBehaviour, Role};
use crate::chain::RAO_PER_TAO;

/// Check what must hold after a run; each failure is a sentence.
pub fn check_invariants(reports: &[EpochReport]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(last) = reports.last() else {
        return vec!["no epoch ran".into()];
    };
    if !reports.iter().any(|r| r.neurons.iter().any(|n| n.weight > 0)) {
        problems.push("no weights were ever set".into());
    }
    if !last.neurons.iter().any(|n| matches!(n.role, Role::Miner(_)) && n.incentive > 0) {
        problems.push("no miner ever earned incentive".into());
    }
    if !last.neurons.iter().any(|n| n.role == Role::Validator && n.dividends > 0) {
        problems.push("no validator earned dividends".into());
    }
    let best = |kind: MinerBehaviour| last.neurons.iter().filter(|n| n.role == Role::Miner(kind)).map(|n| n.incentive).max();
    if let (Some(honest), Some(dead)) = (best(MinerBehaviour::Honest), best(MinerBehaviour::Dead)) {
        if dead > 0 || honest == 0 {
            problems.push(format!("incentive does not follow quality: honest {honest}, dead {dead}"));
        }
    }
    problems
}

/// A self-contained HTML page (inline SVG, no scripts, no network).
pub fn html(title: &str, reports: &[EpochReport]) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title><style>\
         body{{font-family:sans-serif;margin:2em;color:#222}}svg{{background:#fafafa;border:1px solid #ddd}}\
         table{{border-collapse:collapse}}td,th{{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}}\
         </style></head><body><h1>{t}</h1>",
        t = escape(title)
    );
    let series = |f: &dyn Fn(&super::NeuronRow) -> f64, keep: &dyn Fn(Role) -> bool| -> Vec<(String, Vec<f64>)> {
        let Some(first) = reports.first() else { return Vec::new() };
        first
            .neurons
            .iter()
            .filter(|n| keep(n.role))
            .map(|n| {
                let values = reports.iter().map(|r| r.neurons.iter().find(|m| m.uid == n.uid).map_or(0.0, f)).collect();
                (format!("uid {} ({})", n.uid, role_name(n.role)), values)
            })
            .collect()
    };
    let miners = |r: Role| matches!(r, Role::Miner(_));
    let validators = |r: Role| r == Role::Validator;
    page += &chart("Incentive per miner", &series(&|n| n.incentive as f64 / 65535.0, &miners));
    page += &chart("Dividends per validator", &series(&|n| n.dividends as f64 / 65535.0, &validators));
    page += &chart("Score (first validator's moving average)", &series(&|n| n.score, &miners));
    if let Some(last) = reports.last() {
        page += "<h2>Last epoch</h2><table><tr><th>uid</th><th>role</th><th>stake (TAO)</th><th>score</th><th>weight</th><th>incentive</th><th>dividends</th><th>emission (TAO)</th></tr>";
        for n in &last.neurons {
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td></tr>",
                n.uid,
                role_name(n.role),
                n.stake as f64 / RAO_PER_TAO as f64,
                n.score,
                n.weight,
                n.incentive as f64 / 65535.0,
                n.dividends as f64 / 65535.0,
                n.emission as f64 / RAO_PER_TAO as f64
            );
        }
        page += "</table>";
    }
    page += "</body></html>\n";
    page
}

fn role_name(r: Role) -> String {
    match r {
        Role::Owner => "owner".into(),
        Role::Validator => "validator".into(),
        Role::Miner(MinerBehaviour::Honest) => "honest miner".into(),
        Role::Miner(MinerBehaviour::Flaky(p)) => format!("miner, {p}% wrong"),
        Role::Miner(MinerBehaviour::Slow(d)) => format!("miner, {} ms slow", d.as_millis()),
        Role::Miner(MinerBehaviour::Dead) => "dead miner".into(),
    }
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A line chart over epochs, values in [0, 1].
pub(crate) fn chart(title: &str, series: &[(String, Vec<f64>)]) -> String {
    const COLORS: [&str; 8] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
    let (w, h, pad) = (640.0, 240.0, 30.0);
    let epochs = series.first().map_or(0, |(_, v)| v.len()).max(2);
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (epochs - 1) as f64;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v.clamp(0.0, 1.0);
    let mut svg = format!("<h2>{}</h2><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">", escape(title));
    let _ = write!(svg, "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>", y(0.0), w - pad, y(0.0));
    let _ = write!(svg, "<text x=\"2\" y=\"{}\" font-size=\"10\">1.0</text><text x=\"2\" y=\"{}\" font-size=\"10\">0</text>", y(1.0), y(0.0));
    for (k, (name, values)) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let points: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
        let _ = write!(svg, "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>", points.join(" "));
        let _ = write!(svg, "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{color}\">{}</text>", w - 170.0, 14.0 + 13.0 * k as f64, escape(name));
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::NeuronRow;

    fn row(uid: u16, role: Role, weight: u16, incentive: u16, dividends: u16) -> NeuronRow {
        NeuronRow { uid, role, stake: 0, score: 0.5, weight, incentive, dividends, emission: 0 }
    }

    #[test]
    fn invariants_name_what_broke() {
        assert_eq!(check_invariants(&[]), vec!["no epoch ran".to_string()]);
        let idle = EpochReport {
            epoch: 1,
            block: 20,
            neurons: vec![row(0, Role::Validator, 0, 0, 0), row(1, Role::Miner(MinerBehaviour::Honest), 0, 0, 0)],
        };
        let problems = check_invariants(&[idle]);
        assert!(problems.iter().any(|p| p.contains("no weights")));
        assert!(problems.iter().any(|p| p.contains("no miner")));
        let upside_down = EpochReport {
            epoch: 1,
            block: 20,
            neurons: vec![
                row(0, Role::Validator, 0, 0, 65535),
                row(1, Role::Miner(MinerBehaviour::Honest), 100, 0, 0),
                row(2, Role::Miner(MinerBehaviour::Dead), 65535, 65535, 0),
            ],
        };
        assert_eq!(check_invariants(std::slice::from_ref(&upside_down)), vec!["incentive does not follow quality: honest 0, dead 65535".to_string()]);
        let page = html("a <b> run", &[upside_down]);
        assert!(page.contains("a &lt;b&gt; run") && page.contains("<polyline") && page.ends_with("</html>\n"));
    }
}
