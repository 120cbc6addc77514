//! Writes a large synthetic long panel for the loading benchmark:
//! `bench_panel DIR ROWS [--instruments]` writes DIR/study.toml and
//! DIR/panel.csv with about
//! ROWS respondent-waves: ids, role, wave and 60 item columns with codes
//! 0-7, about 2% missing codes (-9, -8) and 1% empty cells. Deterministic:
//! a fixed-seed SplitMix64 stream (benchmark data only, not statistics).
//! With `--instruments` the study file also declares the 60 items as one
//! incident-frequency instrument in six groups of ten (two severe), and a
//! family measure, for the scoring benchmark.

use std::io::Write;

const ITEMS: usize = 60;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(rows)) = (args.get(1), args.get(2).and_then(|r| r.parse::<u64>().ok()))
    else {
        eprintln!("usage: bench_panel DIR ROWS");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let mut study = String::from(
        "[study]\nname = \"bench\"\n[data]\npath = \"panel.csv\"\nrespondent = \"respondent_id\"\ncluster = \"family_id\"\nrole = \"role\"\nwave = \"wave\"\nmissing = { -9 = \"refused\", -8 = \"don't know\" }\n",
    );
    for (label, months, recall) in [("T0", 0, 12), ("T1", 12, 12), ("T2", 18, 6)] {
        study.push_str(&format!(
            "[[waves]]\nlabel = \"{label}\"\nmonths = {months}\nrecall_months = {recall}\n"
        ));
    }
    study.push_str("[[variables]]\nname = \"role\"\ntype = \"categorical\"\ncodes = { parent = \"Parent\", child = \"Child\" }\n");
    for i in 1..=ITEMS {
        study.push_str(&format!(
            "[[variables]]\nname = \"i{i:02}\"\ntype = \"integer\"\nrange = [0, 7]\n"
        ));
    }
    if args.iter().any(|a| a == "--instruments") {
        study.push_str(
            "[[instruments]]\nname = \"cts\"\nkind = \"incident_frequency\"\nmax_missing = 3\n",
        );
        for g in 0..6 {
            let severity = if g >= 4 { "severe" } else { "minor" };
            let items: Vec<String> = (1..=10)
                .map(|j| format!("\"i{:02}\"", g * 10 + j))
                .collect();
            study.push_str(&format!(
                "[[instruments.groups]]\nname = \"g{g}\"\nseverity = \"{severity}\"\nitems = [{}]\n",
                items.join(", ")
            ));
        }
        study.push_str("[[derived]]\nname = \"family_incidents\"\nlevel = \"family\"\nrule = \"sum\"\nterms = [{ measure = \"cts.annual\", within = \"max\" }]\n");
    }
    std::fs::write(dir.join("study.toml"), study)?;

    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("panel.csv"))?);
    let mut header = String::from("respondent_id,family_id,role,wave");
    for i in 1..=ITEMS {
        header.push_str(&format!(",i{i:02}"));
    }
    writeln!(out, "{header}")?;
    let mut rng = SplitMix(20261122);
    let (mut written, mut respondent, mut family) = (0u64, 0u64, 0u64);
    let mut line = Vec::with_capacity(256);
    while written < rows {
        family += 1;
        let members = 2 + rng.next() % 2;
        for m in 0..members {
            respondent += 1;
            let role = if m == 0 { "parent" } else { "child" };
            for (w, label) in ["T0", "T1", "T2"].iter().enumerate() {
                // Everyone at T0; 85% at T1; 75% at T2.
                let keep = [100, 85, 75][w];
                if rng.next() % 100 >= keep {
                    continue;
                }
                line.clear();
                write!(line, "R{respondent:07},F{family:07},{role},{label}")?;
                for _ in 0..ITEMS {
                    let r = rng.next() % 1000;
                    match r {
                        0..=9 => line.extend_from_slice(b","),
                        10..=19 => line.extend_from_slice(b",-9"),
                        20..=29 => line.extend_from_slice(b",-8"),
                        _ => {
                            // Mostly low frequency categories, as in CTS data.
                            let code = [0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7][(r % 12) as usize];
                            line.push(b',');
                            line.push(b'0' + code);
                        }
                    }
                }
                line.push(b'\n');
                out.write_all(&line)?;
                written += 1;
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{} rows, {} respondents, {} families",
        written, respondent, family
    );
    Ok(())
}
