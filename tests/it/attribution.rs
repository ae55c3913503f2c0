//! `utfall attribution paths`: golden values from `channelattribution`, an independent exact
//! solver written here, and hand calculations.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::utfall;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs the CLI and parses its CSV output into channel → numbers.
fn run_csv(args: &[&str]) -> Vec<(String, Vec<f64>)> {
    let output = utfall()
        .args(["attribution", "paths"])
        .args(args)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let mut cells = line.split(',');
            let name = cells.next().unwrap().to_string();
            (name, cells.map(|c| c.parse().unwrap()).collect())
        })
        .collect()
}

fn assert_close(got: f64, want: f64, relative: f64, what: &str) {
    let scale = want.abs().max(1e-12);
    assert!(
        (got - want).abs() / scale <= relative,
        "{what}: got {got}, want {want}"
    );
}

/// `channelattribution` 2.2.5 `heuristic_models(Data, "path", "total_conversions",
/// var_value="total_conversion_value")` on its bundled Data.csv.
const CHANNELATTRIBUTION_HEURISTICS: [(&str, [f64; 6]); 12] = [
    (
        "eta",
        [
            3164.0,
            11909.47621303163,
            4167.0,
            16754.203800105723,
            3539.9511571005655,
            13783.497050920105,
        ],
    ),
    (
        "iota",
        [
            4606.0,
            19597.261276975205,
            3355.0,
            13487.97427135771,
            3857.0962210177604,
            15988.988995023583,
        ],
    ),
    (
        "alpha",
        [
            6308.0,
            19121.272355798723,
            8447.0,
            28414.21427436393,
            7574.718593751173,
            24524.709568833507,
        ],
    ),
    (
        "beta",
        [
            2831.0,
            12235.5917443553,
            989.0,
            3850.020987258204,
            2083.5001445890803,
            8954.266716607803,
        ],
    ),
    (
        "theta",
        [
            1606.0,
            6652.349347446829,
            653.0,
            2799.091987581701,
            1022.8013939042183,
            4295.743619487193,
        ],
    ),
    (
        "lambda",
        [
            902.0,
            3735.602164915967,
            1207.0,
            5249.949985427813,
            1035.257572285535,
            4430.316169428445,
        ],
    ),
    (
        "kappa",
        [
            74.0,
            305.74325,
            230.0,
            1069.38425,
            137.96407792227836,
            599.7477862552665,
        ],
    ),
    (
        "zeta",
        [
            27.0,
            103.004,
            107.0,
            453.26075000000003,
            136.55154046644452,
            539.5287630528435,
        ],
    ),
    (
        "epsilon",
        [
            99.0,
            412.30124285714277,
            531.0,
            2202.612289285718,
            272.1704377204597,
            1106.2700652665453,
        ],
    ),
    (
        "gamma",
        [
            165.0,
            718.9779918300652,
            92.0,
            506.0139918300656,
            121.04163902026706,
            569.4173578910572,
        ],
    ),
    (
        "delta",
        [
            1.0,
            6.119,
            5.0,
            10.972,
            1.7249999999999999,
            4.404050000000001,
        ],
    ),
    (
        "mi",
        [
            2.0,
            5.273,
            2.0,
            5.273,
            2.2222222222222223,
            6.081444444444444,
        ],
    ),
];

#[test]
fn heuristics_equal_channelattribution_on_its_own_data() {
    let path = fixture("channelattribution_Data.csv");
    let rows = run_csv(&[path.to_str().unwrap(), "--model", "heuristic"]);
    assert_eq!(rows.len(), 12);
    for ((name, got), (want_name, want)) in rows.iter().zip(CHANNELATTRIBUTION_HEURISTICS) {
        assert_eq!(name, want_name);
        for (g, w) in got.iter().zip(want) {
            assert_close(*g, w, 1e-9, name);
        }
    }
}

/// An independent exact solver: builds the absorbing chain densely and solves for the
/// absorption probability into conversion by Gaussian elimination, once with every state and
/// once per removed channel.
fn reference_markov(file: &PathBuf, order: usize) -> Vec<(String, f64, f64)> {
    let text = std::fs::read_to_string(file).unwrap();
    // Paths as channel names; state = the names of a window joined by '|'.
    let mut rows: Vec<(Vec<String>, f64, f64, f64)> = Vec::new();
    let mut channel_order: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(';').collect();
        let channels: Vec<String> = cells[0]
            .split('>')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        for channel in &channels {
            if !channel_order.contains(channel) {
                channel_order.push(channel.clone());
            }
        }
        rows.push((
            channels,
            cells[1].parse().unwrap(),
            cells[2].parse().unwrap(),
            cells[3].parse().unwrap(),
        ));
    }
    let mut state_index: HashMap<Vec<String>, usize> = HashMap::new();
    let mut states: Vec<Vec<String>> = vec![vec!["(start)".to_string()]];
    let mut counts: HashMap<(usize, usize), f64> = HashMap::new();
    let (mut conv, mut null, mut value): (
        HashMap<usize, f64>,
        HashMap<usize, f64>,
        HashMap<usize, f64>,
    ) = Default::default();
    for (channels, c, v, n) in &rows {
        if c + n == 0.0 {
            continue;
        }
        let windows: Vec<Vec<String>> = if channels.len() <= order {
            vec![channels.clone()]
        } else {
            (0..=channels.len() - order)
                .map(|i| channels[i..i + order].to_vec())
                .collect()
        };
        let mut sequence: Vec<usize> = Vec::new();
        for window in windows {
            let next = states.len();
            let id = *state_index.entry(window.clone()).or_insert(next);
            if id == next {
                states.push(window);
            }
            if sequence.last() != Some(&id) {
                sequence.push(id);
            }
        }
        let mut previous = 0;
        for &s in &sequence {
            *counts.entry((previous, s)).or_default() += c + n;
            previous = s;
        }
        *conv.entry(previous).or_default() += c;
        *null.entry(previous).or_default() += n;
        *value.entry(previous).or_default() += v;
    }
    let n_states = states.len();
    let mut out = vec![0.0; n_states];
    for ((from, _), w) in &counts {
        out[*from] += w;
    }
    for (state, w) in conv.iter().chain(null.iter()) {
        out[*state] += w;
    }
    // Solve (I − Q) x = r for x = E[reward until absorption] from each state, with r the
    // expected one-step reward (two right-hand sides: conversions and value); removed states
    // are absorbing with reward 0. Dense Gaussian elimination with partial pivoting.
    let solve = |removed: &dyn Fn(usize) -> bool| -> (f64, f64) {
        let width = n_states + 2;
        let mut a = vec![0.0; n_states * width];
        for i in 0..n_states {
            a[i * width + i] = 1.0;
            if removed(i) || out[i] == 0.0 {
                continue;
            }
            a[i * width + n_states] = conv.get(&i).copied().unwrap_or(0.0) / out[i];
            a[i * width + n_states + 1] = value.get(&i).copied().unwrap_or(0.0) / out[i];
        }
        for ((from, to), w) in &counts {
            if !removed(*from) && !removed(*to) {
                a[from * width + to] -= w / out[*from];
            }
        }
        for col in 0..n_states {
            let pivot = (col..n_states)
                .max_by(|&x, &y| {
                    a[x * width + col]
                        .abs()
                        .total_cmp(&a[y * width + col].abs())
                })
                .unwrap();
            if pivot != col {
                for k in 0..width {
                    a.swap(col * width + k, pivot * width + k);
                }
            }
            let diagonal = a[col * width + col];
            for row in col + 1..n_states {
                let factor = a[row * width + col] / diagonal;
                if factor != 0.0 {
                    for k in col..width {
                        a[row * width + k] -= factor * a[col * width + k];
                    }
                }
            }
        }
        let mut x = vec![[0.0; 2]; n_states];
        for row in (0..n_states).rev() {
            for rhs in 0..2 {
                let mut sum = a[row * width + n_states + rhs];
                for k in row + 1..n_states {
                    sum -= a[row * width + k] * x[k][rhs];
                }
                x[row][rhs] = sum / a[row * width + row];
            }
        }
        (x[0][0], x[0][1])
    };
    let (p, e) = solve(&|_| false);
    let drops: Vec<(f64, f64)> = channel_order
        .iter()
        .map(|channel| {
            let removed = |i: usize| i > 0 && states[i].contains(channel);
            let (p_without, e_without) = solve(&removed);
            (p - p_without, e - e_without)
        })
        .collect();
    let total_conversions: f64 = rows.iter().map(|r| r.1).sum();
    let total_value: f64 = rows.iter().map(|r| r.2).sum();
    let sum_c: f64 = drops.iter().map(|d| d.0).sum();
    let sum_v: f64 = drops.iter().map(|d| d.1).sum();
    channel_order
        .iter()
        .zip(drops)
        .map(|(channel, (dc, dv))| {
            (
                channel.clone(),
                dc / sum_c * total_conversions,
                dv / sum_v * total_value,
            )
        })
        .collect()
}

#[test]
fn markov_equals_an_independent_exact_solver_for_orders_one_and_three() {
    let path = fixture("channelattribution_Data.csv");
    for order in [1, 3] {
        let want = reference_markov(&path, order);
        let got = run_csv(&[
            path.to_str().unwrap(),
            "--model",
            "markov",
            "--order",
            &order.to_string(),
        ]);
        assert_eq!(got.len(), want.len());
        for ((name, values), (want_name, conversions, value)) in got.iter().zip(&want) {
            assert_eq!(name, want_name);
            assert_close(
                values[0],
                *conversions,
                1e-9,
                &format!("order {order} {name} conversions"),
            );
            assert_close(
                values[1],
                *value,
                1e-9,
                &format!("order {order} {name} value"),
            );
        }
        let total: f64 = got.iter().map(|(_, v)| v[0]).sum();
        assert_close(total, 19785.0, 1e-12, "total conversions");
    }
}

#[test]
fn markov_on_the_dp6_journeys_by_hand() {
    // The four converting journeys of dp6_journeys_test.csv and B's non-converting one, as paths.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dp6_paths.csv");
    std::fs::write(
        &file,
        "path,total_conversions,total_null\n\
         seo > direct > google_ads > direct,1,0\n\
         direct > crm > direct,1,0\n\
         seo > direct > direct,1,0\n\
         direct > direct > seo > direct,1,0\n\
         seo > direct,0,1\n",
    )
    .unwrap();
    // By hand (order 1, repeats collapsed): from direct, P(conv) x solves x = 1/2 + 3/8·x → 4/5.
    // Removal drops: direct 4/5, seo 8/15, google_ads 2/15, crm 2/15 (sum 24/15); 4 conversions.
    let got = run_csv(&[file.to_str().unwrap(), "--model", "markov"]);
    let want = [
        ("seo", 4.0 / 3.0),
        ("direct", 2.0),
        ("google_ads", 1.0 / 3.0),
        ("crm", 1.0 / 3.0),
    ];
    for ((name, values), (want_name, conversions)) in got.iter().zip(want) {
        assert_eq!(name, want_name);
        assert_close(values[0], conversions, 1e-12, name);
        assert_eq!(values[1], 0.0, "no value column means no value");
    }
}

#[test]
fn shapley_splits_equally_over_distinct_channels() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paths.csv");
    std::fs::write(
        &file,
        "path;total_conversions;total_conversion_value\na > b > a;3;30\nb;1;5\nc > a;2;0\n",
    )
    .unwrap();
    // a: 3/2 + 2/2 = 2.5; b: 3/2 + 1 = 2.5; c: 1. Value: a 15, b 15 + 5 = 20, c 0.
    let got = run_csv(&[file.to_str().unwrap(), "--model", "shapley"]);
    assert_eq!(
        got,
        [
            ("a".to_string(), vec![2.5, 15.0]),
            ("b".to_string(), vec![2.5, 20.0]),
            ("c".to_string(), vec![1.0, 0.0])
        ]
    );
}

#[test]
fn bad_input_names_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paths.csv");
    std::fs::write(&file, "path,total_conversions\na > b,1\nb,many\n").unwrap();
    let output = utfall()
        .args(["attribution", "paths"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "paths.csv`:3: column `total_conversions` holds `many`, not a count or amount"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");

    let output = utfall()
        .args(["attribution", "paths", "--conv-col", "conversions"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no column `conversions`")
            && stderr.contains("`path`, `total_conversions`"),
        "{stderr}"
    );
}

#[test]
fn parallel_and_sequential_reading_give_identical_output() {
    // Over 1 MB, so that two threads read one range each; one thread reads blocks in order.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.csv");
    let channels = ["email", "paid_search", "direct", "events", "print"];
    let mut text = String::from("path,total_conversions,total_conversion_value,total_null\n");
    let mut state = 7u64;
    for row in 0..60_000u64 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let length = 1 + (state >> 60) as usize % 5;
        let path: Vec<&str> = (0..length)
            .map(|i| channels[((state >> (8 * i)) % 5) as usize])
            .collect();
        let converted = (state >> 40).is_multiple_of(3);
        text.push_str(&format!(
            "{},{},{},{}\n",
            path.join(" > "),
            u8::from(converted),
            if converted {
                (row % 997) as f64 * 0.37
            } else {
                0.0
            },
            u8::from(!converted)
        ));
    }
    std::fs::write(&file, &text).unwrap();
    assert!(text.len() > 1 << 20);
    let run = |threads: &str| {
        let output = utfall()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "attribution",
                "paths",
                "--model",
                "markov",
                "--order",
                "2",
                "--format",
                "csv",
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success());
        output.stdout
    };
    let sequential = run("1");
    assert_eq!(sequential, run("2"));
    // Quoted paths take the in-order reader; the result is the same.
    let quoted: String = text
        .lines()
        .map(|line| match line.split_once(',') {
            Some((path, rest)) if !path.starts_with("path") => format!("\"{path}\",{rest}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(&file, quoted).unwrap();
    assert_eq!(run("2"), sequential);
}

#[test]
fn bootstrap_intervals_and_ordered_shapley() {
    let path = fixture("channelattribution_Data.csv");
    let rows = run_csv(&[path.to_str().unwrap(), "--model", "markov", "--intervals"]);
    assert_eq!(rows.len(), 12);
    for (name, values) in &rows {
        assert_eq!(values.len(), 6, "{name}");
        let (estimate, low, high) = (values[0], values[2], values[3]);
        assert!(
            low <= estimate && estimate <= high,
            "{name}: {low} ≤ {estimate} ≤ {high}"
        );
        if estimate > 1000.0 {
            assert!(
                high - low < 0.1 * estimate,
                "{name}: the interval is too wide for 19 785 conversions"
            );
        }
    }
    // The same seed: the same intervals.
    assert_eq!(
        rows,
        run_csv(&[path.to_str().unwrap(), "--model", "markov", "--intervals"])
    );
    // Ordered Shapley: a channel's credits over positions add up to its Shapley value.
    let ordered = run_csv(&[path.to_str().unwrap(), "--model", "shapley-ordered"]);
    let shapley = run_csv(&[path.to_str().unwrap(), "--model", "shapley"]);
    for ((name, by_position), (same, total)) in ordered.iter().zip(&shapley) {
        assert_eq!(name, same);
        assert_close(by_position.iter().sum(), total[0], 1e-9, name);
    }
}
