//! `redosim report`: one run drawn as a self-contained HTML page (inline
//! CSS, SVG and script; nothing is fetched). A timeline with a lane per
//! kind of event and per file the events name: power losses and crash
//! points, each crash recovery and its steps, every check and the
//! violation, checkpoint SCNs, log sequences, each log group's states
//! (CURRENT, then ACTIVE or INACTIVE, archived) with its member files,
//! archived logs, faults on files and the blocks found corrupt. Below it,
//! every line of the trace. The events come from the run's trace lines
//! ([`crate::trace::TraceLine`]), the same text `--trace` prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::anyhow;
use clap::Args;

use crate::runner::{RunOptions, run_seed_traced};
use crate::trace::{LineKind, TraceLine};

/// `redosim report (--seed N | FILE.scn) -o run.html`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "seed"])))]
pub struct ReportArgs {
    /// A scenario to run and draw.
    #[arg(value_name = "FILE.scn")]
    file: Option<std::path::PathBuf>,
    /// A seed to run and draw.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// With --seed: switch on a planted bug (names: `redosim bugs`).
    #[arg(long, value_name = "BUG", conflicts_with = "file")]
    plant: Option<String>,
    /// With --seed: workload steps (default: the seed's own count).
    #[arg(long, value_name = "K", conflicts_with = "file")]
    steps: Option<usize>,
    /// Where to write the page.
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    out: std::path::PathBuf,
}

/// Runs the seed or scenario, writes the page; exits as `run` or `script`
/// would (0 held, 1 failed, 2 bad input).
pub fn cmd_report(args: ReportArgs) -> anyhow::Result<i32> {
    let (html, exit) = match (&args.file, args.seed) {
        (Some(file), _) => {
            let name = file.display().to_string();
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {name}: {e}");
                    return Ok(2);
                }
            };
            let (outcome, lines) = crate::scenario::run_script_traced(&name, &text);
            if outcome.exit == 2 {
                eprintln!("{}", outcome.failure.as_deref().unwrap_or("bad input"));
                return Ok(2);
            }
            let violation = outcome.failure.clone().map(|f| {
                let step = lines.last().map_or(0, |l| l.step);
                (f, step)
            });
            let summary = vec![
                format!("scenario    {name}"),
                format!("statements  {}", outcome.results.len()),
                format!("trace hash  {:016x}", outcome.trace_hash),
            ];
            let title = format!("redosim script {name}");
            let html = render(&ReportInput {
                title: &title,
                summary: &summary,
                lines: &lines,
                violation,
            });
            (html, outcome.exit)
        }
        (None, Some(seed)) => {
            let plant = args
                .plant
                .as_deref()
                .map(engine::Plant::parse)
                .transpose()
                .map_err(|e| anyhow!(e))?;
            let (s, lines) = run_seed_traced(&RunOptions {
                seed,
                steps: args.steps,
                plant,
                release: None,
                trace: false,
                print_scenario: false,
                final_rows: false,
            });
            let mut summary = vec![
                format!("seed        {seed}"),
                format!("config      {}", s.config),
            ];
            if let Some(p) = &s.plant {
                summary.push(format!("plant       {p}"));
            }
            summary.extend([
                format!("steps       {}", s.steps),
                format!("crashes     {}", s.crashes),
                format!("recoveries  {}", s.recoveries),
                format!("checks      {}", s.checks),
                format!("trace hash  {:016x}", s.trace_hash),
            ]);
            if let Some(u) = &s.unrecoverable {
                summary.push(format!("unrecoverable at step {}: {}", u.step, u.reason));
            }
            let violation = s
                .violation
                .as_ref()
                .map(|v| (format!("{}: {}", v.id, v.evidence), v.step));
            let mut title = format!("redosim run --seed {seed}");
            if let Some(p) = &s.plant {
                title.push_str(&format!(" --plant {p}"));
            }
            let html = render(&ReportInput {
                title: &title,
                summary: &summary,
                lines: &lines,
                violation,
            });
            (html, i32::from(!s.passed()))
        }
        (None, None) => unreachable!("clap requires a file or a seed"),
    };
    std::fs::write(&args.out, html)
        .map_err(|e| anyhow!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(exit)
}

/// What the page shows about one run.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// e.g. "redosim run --seed 7".
    pub title: &'a str,
    /// Summary lines shown above the timeline (configuration, counts, hash).
    pub summary: &'a [String],
    pub lines: &'a [TraceLine],
    /// The failure, if the run had one: what failed and the step it was at.
    pub violation: Option<(String, usize)>,
}

/// One mark on the timeline.
struct Mark {
    lane: String,
    /// Position: the line's place in the trace.
    x: f64,
    /// Up to `x_end` for a span (a recovery).
    x_end: Option<f64>,
    class: &'static str,
    label: String,
    /// The tooltip.
    title: String,
    /// The trace line it came from (a link into the table).
    line: usize,
}

const LANE_POWER: &str = "power losses & crash points";
const LANE_RECOVERY: &str = "crash recovery";
const LANE_CHECKS: &str = "checks";
const LANE_CKPT: &str = "checkpoint SCN";
const LANE_SEQ: &str = "log sequence";
const LANE_ARCH: &str = "archived logs";
const LANE_SQL: &str = "statements";

/// The page.
pub fn render(input: &ReportInput) -> String {
    let lines = input.lines;
    let xs = positions(lines);
    let max_x = xs.last().copied().unwrap_or(0.0).max(1.0) + 1.0;
    let marks = collect_marks(lines, &xs, input.violation.as_ref());
    // Lanes: the fixed ones first, then the log groups, then other files.
    let mut lanes: Vec<String> = [
        LANE_POWER,
        LANE_RECOVERY,
        LANE_CHECKS,
        LANE_CKPT,
        LANE_SEQ,
        LANE_ARCH,
        LANE_SQL,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut extra: Vec<String> = marks
        .iter()
        .map(|m| m.lane.clone())
        .filter(|l| !lanes.contains(l))
        .collect();
    extra.sort_by_key(|l| lane_order(l));
    extra.dedup();
    lanes.extend(extra);
    let members = group_members(lines);

    let label_w = 300.0;
    let px = (1040.0 / max_x).clamp(2.5, 14.0);
    let lane_h = 34.0;
    let top = 28.0;
    let width = label_w + max_x * px + 180.0;
    let height = top + lane_h * lanes.len() as f64 + 10.0;
    let lane_y = |lane: &str| -> f64 {
        let i = lanes.iter().position(|l| l == lane).unwrap_or(0);
        top + lane_h * i as f64
    };
    let sx = |x: f64| label_w + x * px;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}">"#
    );
    // Lane backgrounds and labels.
    for (i, lane) in lanes.iter().enumerate() {
        let y = top + lane_h * i as f64;
        let fill = if i % 2 == 0 { "#f6f7f9" } else { "#ffffff" };
        let _ = write!(
            svg,
            r#"<rect class="lane" x="0" y="{y:.1}" width="{width:.0}" height="{lane_h}" fill="{fill}"/>"#
        );
        let mut label = lane.clone();
        if let Some(files) = lane.strip_prefix("group ").and_then(|g| members.get(g)) {
            label = format!("{lane} ({})", files.join(", "));
        }
        let _ = write!(
            svg,
            r#"<text class="lane-label" x="6" y="{:.1}"><title>{}</title>{}</text>"#,
            y + lane_h / 2.0 + 4.0,
            esc(&label),
            esc(&shorten(&label, 44)),
        );
    }
    // Step axis: a tick at the first line of a step, where there is room.
    let mut last_tick = f64::NEG_INFINITY;
    let mut last_step = None;
    for (l, &x) in lines.iter().zip(&xs) {
        if last_step == Some(l.step) {
            continue;
        }
        last_step = Some(l.step);
        let x = sx(x);
        if x - last_tick < 40.0 {
            continue;
        }
        last_tick = x;
        let _ = write!(
            svg,
            r##"<line class="grid" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{height:.0}" stroke="#e1e4e8"/><text class="axis" x="{x:.1}" y="16">{}</text>"##,
            top - 4.0,
            l.step
        );
    }
    let _ = write!(svg, r#"<text class="axis" x="6" y="16">step</text>"#);
    // Power losses cut across every lane.
    for m in marks.iter().filter(|m| m.class == "power-loss") {
        let x = sx(m.x);
        let _ = write!(
            svg,
            r##"<line class="power-cut" x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#d73a49" stroke-dasharray="3,3" stroke-width="1"/>"##,
            height - 10.0
        );
    }
    // A label only where the last one of its lane has ended.
    let mut label_end: BTreeMap<&str, f64> = BTreeMap::new();
    for m in &marks {
        let y = lane_y(&m.lane);
        let mid = y + lane_h / 2.0;
        let x = sx(m.x);
        let _ = write!(
            svg,
            r#"<g class="mark {}"{} data-line="{}" data-step="{}"><title>{}</title>"#,
            m.class,
            if m.class == "violation" {
                r#" id="violation-mark""#
            } else {
                ""
            },
            m.line,
            lines.get(m.line).map_or(0, |l| l.step),
            esc(&m.title)
        );
        match (m.class, m.x_end) {
            (_, Some(end)) => {
                let w = (sx(end) - x).max(3.0);
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="3"/>"#,
                    y + 6.0,
                    lane_h - 12.0
                );
            }
            ("violation", None) => {
                let _ = write!(
                    svg,
                    r#"<path d="M{x:.1},{:.1} l9,16 l-18,0 z"/>"#,
                    mid - 10.0
                );
            }
            ("power-loss", None) => {
                let _ = write!(
                    svg,
                    r#"<path d="M{:.1},{:.1} l6,0 l-4,8 l6,0 l-10,12 l3,-9 l-5,0 z"/>"#,
                    x - 2.0,
                    mid - 11.0
                );
            }
            (_, None) => {
                let _ = write!(svg, r#"<circle cx="{x:.1}" cy="{mid:.1}" r="4"/>"#);
            }
        }
        let room = label_end
            .get(m.lane.as_str())
            .is_none_or(|&end| x + 5.0 >= end);
        if !m.label.is_empty() && room {
            label_end.insert(
                &m.lane,
                x + 5.0 + 6.0 * m.label.chars().count() as f64 + 4.0,
            );
            let _ = write!(
                svg,
                r#"<text class="mark-label" x="{:.1}" y="{:.1}">{}</text>"#,
                x + 5.0,
                y + 10.0,
                esc(&m.label)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");

    // The trace as a table.
    let mut table = String::new();
    for (i, l) in lines.iter().enumerate() {
        let kind = match l.kind {
            LineKind::Alert => "alert",
            LineKind::Disk => "disk",
            LineKind::Note => "note",
            LineKind::Check => "check",
        };
        let _ = write!(
            table,
            r#"<tr id="l{i}" class="{kind}"><td>{}</td><td>{}</td><td>{kind}</td><td><pre>{}</pre></td></tr>"#,
            l.step,
            l.scn,
            esc(&l.text)
        );
    }
    let counts = |class: &str| marks.iter().filter(|m| m.class == class).count();
    let legend = format!(
        "{} power losses, {} crash recoveries ({} interrupted), {} checks held, {} checkpoints, {} log switches, {} logs archived, {} faults",
        counts("power-loss"),
        counts("recovery") + counts("recovery interrupted"),
        counts("recovery interrupted"),
        counts("check"),
        counts("checkpoint"),
        counts("log-switch"),
        counts("archived"),
        counts("fault") + counts("crash-point"),
    );
    let outcome = match &input.violation {
        Some((what, step)) => format!(
            r##"<p class="outcome failed" id="outcome">VIOLATION at step {step}: <a href="#violation-mark">{}</a></p>"##,
            esc(what)
        ),
        None => r#"<p class="outcome held" id="outcome">every invariant held</p>"#.to_string(),
    };
    let summary: String = input
        .summary
        .iter()
        .map(|s| format!("{}\n", esc(s)))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>{CSS}</style></head>
<body>
<h1>{title}</h1>
<pre class="summary">{summary}</pre>
{outcome}
<p class="legend">{legend}. Hover a mark for its trace line, click it to find the line below.</p>
<div class="scroll">{svg}</div>
<h2>Trace</h2>
<p><label><input type="checkbox" id="hide-notes"> hide statements and notes</label>
<label><input type="checkbox" id="hide-checks"> hide checks</label></p>
<table id="trace"><thead><tr><th>step</th><th>SCN</th><th>kind</th><th>line</th></tr></thead><tbody>{table}</tbody></table>
<script>{JS}</script>
</body></html>
"#,
        title = esc(input.title),
    )
}

/// Each line's position: its place in the trace, so that the many events
/// of one step (a recovery) spread out; the axis names the steps.
fn positions(lines: &[TraceLine]) -> Vec<f64> {
    (0..lines.len()).map(|i| i as f64).collect()
}

/// Log groups' member files, from the alert log's `Current log# …` lines.
fn group_members(lines: &[TraceLine]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.kind == LineKind::Alert) {
        for row in l.text.lines() {
            if let Some((group, _, path)) = current_log(row) {
                let files = out.entry(group).or_default();
                if !files.contains(&path) {
                    files.push(path);
                }
            }
        }
    }
    out
}

/// `  Current log# G seq# S mem# M: PATH` → (G, S, PATH).
fn current_log(row: &str) -> Option<(String, u64, String)> {
    let rest = row.trim().strip_prefix("Current log# ")?;
    let (group, rest) = rest.split_once(" seq# ")?;
    let (seq, rest) = rest.split_once(" mem# ")?;
    let (_, path) = rest.split_once(": ")?;
    Some((group.to_string(), seq.parse().ok()?, path.to_string()))
}

/// The number after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let at = text.find(prefix)? + prefix.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn collect_marks(
    lines: &[TraceLine],
    xs: &[f64],
    violation: Option<&(String, usize)>,
) -> Vec<Mark> {
    let mut marks = Vec::new();
    let mut recovery: Option<(f64, usize, Vec<String>)> = None;
    let mut current_group: Option<String> = None;
    let mut violation_marked = false;
    let mark = |lane: &str, i: usize, class: &'static str, label: String| Mark {
        lane: lane.to_string(),
        x: xs[i],
        x_end: None,
        class,
        label,
        title: format!(
            "step {} scn {}: {}",
            lines[i].step, lines[i].scn, lines[i].text
        ),
        line: i,
    };
    let end_recovery = |marks: &mut Vec<Mark>,
                        recovery: &mut Option<(f64, usize, Vec<String>)>,
                        end: f64,
                        class: &'static str| {
        if let Some((start, line, steps)) = recovery.take() {
            marks.push(Mark {
                lane: LANE_RECOVERY.to_string(),
                x: start,
                x_end: Some(end),
                class,
                label: String::new(),
                title: format!(
                    "crash recovery{}:\n{}",
                    if class == "recovery" {
                        ""
                    } else {
                        " that did not complete (a power loss or an error)"
                    },
                    steps.join("\n")
                ),
                line,
            });
        }
    };
    for (i, l) in lines.iter().enumerate() {
        let text = l.text.as_str();
        let first = text.lines().next().unwrap_or("");
        match l.kind {
            LineKind::Disk => {
                if first.starts_with("-- power lost") {
                    end_recovery(&mut marks, &mut recovery, xs[i], "recovery interrupted");
                    marks.push(mark(LANE_POWER, i, "power-loss", String::new()));
                }
            }
            LineKind::Check => marks.push(mark(LANE_CHECKS, i, "check", String::new())),
            LineKind::Note => {
                if first.starts_with("VIOLATION") {
                    violation_marked = true;
                    let id = first.split_whitespace().nth(1).unwrap_or("").to_string();
                    marks.push(mark(LANE_CHECKS, i, "violation", id));
                } else if first.starts_with("-- power lost") {
                    end_recovery(&mut marks, &mut recovery, xs[i], "recovery interrupted");
                    marks.push(mark(LANE_POWER, i, "power-loss", String::new()));
                } else if first.starts_with("crash") {
                    marks.push(mark(LANE_POWER, i, "crash-point", String::new()));
                } else if let Some(rest) = first.strip_prefix("fault ") {
                    let lane = rest
                        .split('\'')
                        .nth(1)
                        .map(file_lane)
                        .unwrap_or_else(|| LANE_POWER.to_string());
                    marks.push(mark(&lane, i, "fault", "fault".to_string()));
                } else if first.starts_with("SQL> host cp") {
                    marks.push(mark(LANE_SQL, i, "fault", "host cp".to_string()));
                } else if first.starts_with("SQL>") {
                    marks.push(mark(LANE_SQL, i, "statement", String::new()));
                }
            }
            LineKind::Alert => {
                if first.starts_with("Beginning crash recovery") {
                    recovery = Some((xs[i], i, vec![first.to_string()]));
                    marks.push(mark(LANE_RECOVERY, i, "recovery-step", String::new()));
                } else if let Some((_, _, steps)) = recovery.as_mut()
                    && (first.starts_with("Started")
                        || first.starts_with("Completed")
                        || first.starts_with("Ended recovery")
                        || first.starts_with("Hex dump"))
                {
                    steps.push(first.to_string());
                    marks.push(mark(LANE_RECOVERY, i, "recovery-step", String::new()));
                }
                if first.starts_with("Crash recovery completed") {
                    if let Some((_, _, steps)) = recovery.as_mut() {
                        steps.push(first.to_string());
                    }
                    end_recovery(&mut marks, &mut recovery, xs[i], "recovery");
                }
                if let Some(scn) = number_after(first, "SCN: ")
                    .filter(|_| first.starts_with("Completed checkpoint up to RBA"))
                {
                    marks.push(mark(LANE_CKPT, i, "checkpoint", scn.to_string()));
                }
                if let Some(seq) = number_after(first, "advanced to log sequence ")
                    .or_else(|| number_after(first, "opened at log sequence "))
                {
                    marks.push(mark(LANE_SEQ, i, "log-switch", seq.to_string()));
                }
                for row in text.lines() {
                    if let Some((group, seq, _)) = current_log(row) {
                        if let Some(old) = current_group.replace(group.clone())
                            && old != group
                        {
                            marks.push(mark(
                                &format!("group {old}"),
                                i,
                                "group-state",
                                "ACTIVE".to_string(),
                            ));
                        }
                        marks.push(mark(
                            &format!("group {group}"),
                            i,
                            "group-state current",
                            format!("seq {seq} CURRENT"),
                        ));
                    }
                    if let Some((file, block)) = corrupt_block(row) {
                        marks.push(mark(
                            &format!("datafile {file}"),
                            i,
                            "corrupt",
                            format!("block {block}"),
                        ));
                    }
                }
                if first.contains("Completed archiving")
                    && let Some(seq) = number_after(first, "sequence ")
                {
                    marks.push(mark(LANE_ARCH, i, "archived", seq.to_string()));
                    if let Some(group) = number_after(first, "(log# ") {
                        marks.push(mark(
                            &format!("group {group}"),
                            i,
                            "archived",
                            format!("seq {seq} archived"),
                        ));
                    }
                }
                if first.starts_with("Shutting down instance")
                    || first.starts_with("Starting ORACLE")
                {
                    current_group = None;
                }
            }
        }
    }
    if let Some((start, _, _)) = recovery.as_ref() {
        let end = xs.last().copied().unwrap_or(*start);
        end_recovery(&mut marks, &mut recovery, end, "recovery interrupted");
    }
    if let Some((what, step)) = violation
        && !violation_marked
    {
        // A scenario's failed expectation: at the last line of its step.
        let i = lines
            .iter()
            .rposition(|l| l.step <= *step)
            .unwrap_or(lines.len().saturating_sub(1));
        if !lines.is_empty() {
            let mut m = mark(LANE_CHECKS, i, "violation", "FAILED".to_string());
            m.title = what.clone();
            marks.push(m);
        }
    }
    marks
}

/// `Corrupt block relative dba: (file F, block B)` → (F, B).
fn corrupt_block(row: &str) -> Option<(u64, u64)> {
    let rest = row
        .trim()
        .strip_prefix("Corrupt block relative dba: (file ")?;
    let (file, rest) = rest.split_once(", block ")?;
    Some((file.parse().ok()?, rest.trim_end_matches(')').parse().ok()?))
}

/// The lane of a file a fault names.
fn file_lane(path: &str) -> String {
    format!("file {path}")
}

/// Groups first (by number), then datafiles, then other files.
fn lane_order(lane: &str) -> (u8, u64, String) {
    if let Some(g) = lane.strip_prefix("group ") {
        (0, g.parse().unwrap_or(0), String::new())
    } else if let Some(f) = lane.strip_prefix("datafile ") {
        (1, f.parse().unwrap_or(0), String::new())
    } else {
        (2, 0, lane.to_string())
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n - 1).collect();
        format!("{head}…")
    }
}

/// Escapes text for HTML and SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
body { font: 14px system-ui, sans-serif; margin: 16px; color: #24292e; }
h1 { font-size: 18px; } h2 { font-size: 16px; margin-top: 24px; }
pre.summary { background: #f6f8fa; padding: 8px; }
.outcome.failed { color: #b31d28; font-weight: bold; }
.outcome.held { color: #22863a; font-weight: bold; }
.scroll { overflow-x: auto; border: 1px solid #d1d5da; }
svg text { font: 11px system-ui, sans-serif; }
.lane-label { font-weight: 600; fill: #444; }
.axis { fill: #888; }
.mark { cursor: pointer; }
.mark-label { fill: #333; font-size: 10px; }
.power-loss path { fill: #d73a49; }
.crash-point circle { fill: #f9c513; stroke: #b08800; }
.recovery rect { fill: #79b8ff; fill-opacity: 0.6; stroke: #0366d6; }
.recovery.interrupted rect { fill: #f97583; fill-opacity: 0.5; stroke: #d73a49; }
.recovery-step circle { fill: #0366d6; r: 2.5; }
.check circle { fill: #28a745; r: 2.5; }
.violation path { fill: #cb2431; stroke: #5c0011; stroke-width: 1.5; }
.violation .mark-label { fill: #cb2431; font-weight: bold; font-size: 12px; }
.checkpoint circle { fill: #6f42c1; }
.log-switch circle { fill: #e36209; }
.group-state circle { fill: #959da5; }
.group-state.current circle { fill: #e36209; }
.archived circle { fill: #2f9e44; }
.fault circle { fill: #d73a49; stroke: #5c0011; }
.corrupt circle { fill: #b31d28; }
.statement circle { fill: #c8ccd1; r: 2; }
table#trace { border-collapse: collapse; font-size: 12px; }
table#trace td { border-bottom: 1px solid #eee; padding: 1px 6px; vertical-align: top; }
table#trace pre { margin: 0; white-space: pre-wrap; }
tr.disk { background: #ffeef0; } tr.check { color: #22863a; } tr.note { color: #555; }
tr.hit { background: #fff5b1; }
body.hide-notes tr.note, body.hide-checks tr.check { display: none; }
"#;

const JS: &str = r#"
(function () {
  var rows = document.querySelectorAll('#trace tbody tr');
  document.querySelectorAll('#timeline .mark').forEach(function (m) {
    m.addEventListener('click', function () {
      var row = document.getElementById('l' + m.getAttribute('data-line'));
      if (!row) return;
      rows.forEach(function (r) { r.classList.remove('hit'); });
      row.classList.add('hit');
      row.scrollIntoView({ block: 'center' });
    });
  });
  ['hide-notes', 'hide-checks'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', function (e) {
      document.body.classList.toggle(id, e.target.checked);
    });
  });
  document.body.setAttribute('data-drawn', String(document.querySelectorAll('#timeline .mark').length));
})();
"#;
