//! `--set key=value` overrides, applied to the parsed TOML table before it is read and checked.

/// `a.b.c=value`: the value is read as TOML (number, bool, array, quoted string), or else taken
/// as a bare string, so `--set model.activation=relu` works without quotes.
pub(super) fn apply_override(
    table: &mut toml::Table,
    assignment: &str,
) -> std::result::Result<(), String> {
    let Some((key, raw)) = assignment.split_once('=') else {
        return Err(format!(
            "--set {assignment}: expected key=value, e.g. --set train.learning_rate=0.05"
        ));
    };
    let key = key.trim();
    let raw = raw.trim();
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "--set {assignment}: `{key}` is not a key; use section.key, e.g. model.hidden"
        ));
    }
    let (last, sections) = parts.split_last().expect("non-empty");
    let mut current = table;
    for s in sections {
        let entry = current
            .entry(s.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = entry
            .as_table_mut()
            .ok_or_else(|| format!("--set {assignment}: `{s}` is a value, not a section"))?;
    }
    // `epochs` and `iterations` are one key: setting either replaces the other.
    if let (["train"], Some(alias)) = (
        sections,
        match *last {
            "epochs" => Some("iterations"),
            "iterations" => Some("epochs"),
            _ => None,
        },
    ) {
        current.remove(alias);
    }
    current.insert(last.to_string(), value);
    Ok(())
}
