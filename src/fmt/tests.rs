//! The formatter over tricky inputs. Every case also checks idempotence: formatting the
//! expected output changes nothing.

use super::{FmtError, format_source};

/// Formats `input`, compares with `expected`, and checks that `expected` is a fixed point.
#[track_caller]
fn case(input: &str, expected: &str) {
    let got = format_source("test.wf.hcl", input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got, expected,
        "\n--- got ---\n{got}\n--- expected ---\n{expected}"
    );
    let again = format_source("test.wf.hcl", expected).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, expected, "not idempotent:\n{again}");
}

#[test]
fn indentation_is_two_spaces_per_level() {
    case(
        "resource \"workato_folder\" \"a\" {\nname = \"a\"\n      lifecycle {\n\t\tprevent_destroy = true\n }\n}\n",
        "resource \"workato_folder\" \"a\" {\n  name = \"a\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
}

#[test]
fn equals_get_one_space_and_align_within_a_group() {
    case(
        "locals {\n  a=1\n  long_name    =   2\n  bb= \"x\"\n}\n",
        "locals {\n  a         = 1\n  long_name = 2\n  bb        = \"x\"\n}\n",
    );
}

#[test]
fn alignment_groups_are_broken_by_blank_lines_comments_and_blocks() {
    case(
        r#"resource "workato_data_table" "t" {
  name = "t"
  folder_id = 1

  a = 1
  longer = 2
  # a comment
  bbbbbbbb = 3
  c = 4
  column {
    name = "n"
    type = "string"
  }
  after_block = 5
  x = 6
}
"#,
        r#"resource "workato_data_table" "t" {
  name      = "t"
  folder_id = 1

  a      = 1
  longer = 2
  # a comment
  bbbbbbbb = 3
  c        = 4
  column {
    name = "n"
    type = "string"
  }
  after_block = 5
  x           = 6
}
"#,
    );
}

#[test]
fn a_multi_line_value_ends_a_group_and_its_items_align_among_themselves() {
    case(
        r#"resource "workato_project_property" "p" {
  project_id = 1
  for_each = {
    base_url="https://api.example.com"
    retries = "3"
  }
  name = each.key
  value = each.value
}
"#,
        r#"resource "workato_project_property" "p" {
  project_id = 1
  for_each = {
    base_url = "https://api.example.com"
    retries  = "3"
  }
  name  = each.key
  value = each.value
}
"#,
    );
}

#[test]
fn multi_line_lists_and_calls_are_reindented_not_reflowed() {
    case(
        "x = [\n\"a\",   \"b\",\n       \"c\",\n]\ny = merge(local.base, {\n        k = 1\n      })\n",
        "x = [\n  \"a\",   \"b\",\n  \"c\",\n]\ny = merge(local.base, {\n  k = 1\n})\n",
    );
}

#[test]
fn a_closing_bracket_lines_up_with_the_line_that_opened_it() {
    case(
        "z = [{\na = 1\n    }, {\nb = 2\n}]\n",
        "z = [{\n  a = 1\n}, {\n  b = 2\n}]\n",
    );
}

#[test]
fn single_line_expressions_keep_their_text() {
    case(
        "a = {x=1,y=[1,2]}\nb = \"${var.a}-${  local.b }\"\nc = var.a == \"x\" ? 1 : 2\n",
        "a = {x=1,y=[1,2]}\nb = \"${var.a}-${  local.b }\"\nc = var.a == \"x\" ? 1 : 2\n",
    );
}

#[test]
fn heredocs_are_kept_exactly_and_belong_to_their_attribute() {
    case(
        "locals {\n  a = 1\n    text = <<EOT\n  indented   \n\n\n\n{ not a bracket\nEOT\n      bb = 2\n  flush = <<-EOT\n      x\n    EOT\n}\n",
        "locals {\n  a     = 1\n  text  = <<EOT\n  indented   \n\n\n\n{ not a bracket\nEOT\n  bb    = 2\n  flush = <<-EOT\n      x\n    EOT\n}\n",
    );
}

#[test]
fn heredoc_markers_must_stand_alone_to_close() {
    case(
        "a = <<EOT\nEOTX\n  EOT_more\n EOT\nb = 1\n",
        "a = <<EOT\nEOTX\n  EOT_more\n EOT\nb = 1\n",
    );
}

#[test]
fn heredoc_inside_a_call_closes_with_the_call() {
    case(
        "resource \"x\" \"y\" {\nv = jsonencode(<<EOT\n{}\nEOT\n)\n}\n",
        "resource \"x\" \"y\" {\n  v = jsonencode(<<EOT\n{}\nEOT\n  )\n}\n",
    );
}

#[test]
fn comments_stay_where_they_are_and_trailing_ones_align() {
    case(
        "# top\n\n// slashes\nlocals {\n    # inside\n  a = 1 # one\n  bbb = 2    // two\n  c  =   /* block */ 3\n\n  d = 4        # alone\n}   # after\n",
        "# top\n\n// slashes\nlocals {\n  # inside\n  a   = 1 # one\n  bbb = 2 // two\n  c   = /* block */ 3\n\n  d = 4 # alone\n}       # after\n",
    );
}

#[test]
fn multi_line_block_comments_keep_their_text() {
    case(
        "locals {\n      /* first\n         second   \n   */\n  a = 1\n}\n",
        "locals {\n  /* first\n         second\n   */\n  a = 1\n}\n",
    );
}

#[test]
fn comment_markers_inside_strings_are_text() {
    case(
        "a = \"# not a comment\"   # a comment\nbb = \"// nor this\"\n",
        "a  = \"# not a comment\" # a comment\nbb = \"// nor this\"\n",
    );
}

#[test]
fn block_headers_get_single_spaces() {
    case(
        "resource   \"workato_tag\"\t\"t\"{\n  title = \"x\"\n}\nlocals{\n}\nworkform {\n  backend \"postgres\" { conn_str = \"x\" }   # note\n}\n",
        "resource \"workato_tag\" \"t\" {\n  title = \"x\"\n}\nlocals {\n}\nworkform {\n  backend \"postgres\" { conn_str = \"x\" } # note\n}\n",
    );
}

#[test]
fn blank_lines_collapse_and_the_file_ends_with_one_newline() {
    case("\n\n\na = 1\n\n\n\nb = 2\n\n\n", "a = 1\n\nb = 2\n");
    case("a = 1", "a = 1\n");
    case("", "");
    case("\n  \n\t\n", "");
    case("a = 1   \n\t\nb = 2\t\n", "a = 1\n\nb = 2\n");
}

#[test]
fn crlf_input_becomes_lf() {
    case(
        "locals {\r\n  a=1\r\n  bb = 2   \r\n}\r\n",
        "locals {\n  a  = 1\n  bb = 2\n}\n",
    );
}

#[test]
fn for_expressions_and_conditionals_across_lines() {
    case(
        "x = {\nfor k, v in var.m :\nk => upper(v)\nif v != \"\"\n}\ny = (\nvar.a >= 1\n? \"big\"\n: \"small\"\n)\n",
        "x = {\n  for k, v in var.m :\n  k => upper(v)\n  if v != \"\"\n}\ny = (\n  var.a >= 1\n  ? \"big\"\n  : \"small\"\n)\n",
    );
}

#[test]
fn template_directives_and_escapes_do_not_confuse_brackets() {
    case(
        "locals {\na = \"%{ if true }{%{ endif }\"\nb = \"$${not} %%{not} \\\"{\"\nc = 1\n}\n",
        "locals {\n  a = \"%{ if true }{%{ endif }\"\n  b = \"$${not} %%{not} \\\"{\"\n  c = 1\n}\n",
    );
}

#[test]
fn object_keys_may_be_quoted_or_parenthesised() {
    case(
        "m = {\n\"a b\" = 1\n(local.k) = 2\nc: 3\n}\n",
        "m = {\n  \"a b\"     = 1\n  (local.k) = 2\n  c: 3\n}\n",
    );
}

#[test]
fn nested_blocks_several_levels_deep() {
    case(
        "resource \"workato_data_table\" \"i\" {\ncolumn {\nname = \"c\"\nrelation {\ntable_id = workato_data_table.c.id\nfield_id = workato_data_table.c.field_ids[\"email\"]\n}\n}\n}\n",
        "resource \"workato_data_table\" \"i\" {\n  column {\n    name = \"c\"\n    relation {\n      table_id = workato_data_table.c.id\n      field_id = workato_data_table.c.field_ids[\"email\"]\n    }\n  }\n}\n",
    );
}

#[test]
fn unicode_names_align_by_characters() {
    case(
        "m = {\n  \"é\" = 1\n  ab = 2\n}\n",
        "m = {\n  \"é\" = 1\n  ab  = 2\n}\n",
    );
}

#[test]
fn the_safety_net_sees_changes_inside_values() {
    let heredoc = "a = <<EOT\n  x\nEOT\n";
    assert!(super::same_meaning(heredoc, "a = <<EOT\n  x\nEOT\n"));
    assert!(super::same_meaning(heredoc, "a  =  <<EOT\n  x\nEOT\n\n"));
    assert!(!super::same_meaning(heredoc, "a = <<EOT\nx\nEOT\n"));
    assert!(!super::same_meaning("a = \"${ b }\"\n", "a = \"${b}\"\n"));
    assert!(!super::same_meaning(heredoc, "a = <<EOT\n"));
}

#[test]
fn a_syntax_error_is_reported_with_its_location() {
    let err = format_source("main.wf.hcl", "locals {\n  a = \n}\n").unwrap_err();
    let FmtError::Syntax(diag) = err else {
        panic!("expected a syntax error, got {err}");
    };
    let location = diag.location().unwrap();
    assert!(
        location.starts_with("main.wf.hcl:2:") || location.starts_with("main.wf.hcl:3:"),
        "{location}"
    );
}

#[test]
fn the_quickstart_example_is_canonical() {
    let text = include_str!("../../examples/quickstart/main.wf.hcl");
    assert_eq!(format_source("main.wf.hcl", text).unwrap(), text);
}

#[test]
fn the_design_example_formats_idempotently() {
    let input = r#"workform {
  backend "postgres" { conn_str = "postgres://ci@db/workform" }   # default: local redb file
}

workato {
  region = "eu"               # or host = "https://app.eu.workato.com"
}

variable "env" {
  type    = string
  default = "staging"
  validation {
    condition     = contains(["staging", "prod"], var.env)
    error_message = "env must be staging or prod"
  }
}

resource "workato_folder" "integrations" {
  name      = "Integrations"
  folder_id = workato_project.billing.folder_id      # parent folder
}

resource "workato_connection" "jira" {
  name           = "Jira ${var.env}"
  input          = { host_name = "acme.atlassian.net", apitoken = var.jira_token }
}

resource "workato_api_client" "partner" {
  api_collection_ids = [workato_api_collection.billing.id]
  lifecycle { prevent_destroy = true }
}

resource "workato_on_prem_group" "dc1" { name = "DC1 agents" }
"#;
    let once = format_source("main.wf.hcl", input).unwrap();
    assert!(
        once.contains(
            "  backend \"postgres\" { conn_str = \"postgres://ci@db/workform\" } # default"
        )
    );
    assert!(once.contains("  folder_id = workato_project.billing.folder_id # parent folder"));
    assert!(once.contains("  name  = \"Jira ${var.env}\"\n  input = {"));
    assert_eq!(format_source("main.wf.hcl", &once).unwrap(), once);
}

/// Every fixture the crate ships formats to a fixed point in one pass.
#[test]
fn formatting_is_idempotent_on_every_fixture() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut fixtures = Vec::new();
    for dir in ["examples", "tests", "docs"] {
        collect(&std::path::Path::new(root).join(dir), &mut fixtures);
    }
    assert!(!fixtures.is_empty());
    for path in fixtures {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let once = format_source(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        let twice = format_source(&name, &once).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(once, twice, "{name} is not formatted idempotently");
    }
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(super::is_formattable)
        {
            out.push(path);
        }
    }
}

/// HCL snippets embedded in the Rust test sources (raw strings that start with a block)
/// are fixtures too: the configurations the other features are tested with.
#[test]
fn formatting_is_idempotent_on_embedded_test_configurations() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it");
    let mut checked = 0;
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let source = std::fs::read_to_string(entry.path()).unwrap();
        for chunk in source.split("r#\"").skip(1) {
            let Some(end) = chunk.find("\"#") else {
                continue;
            };
            let hcl = &chunk[..end];
            if hcl::edit::parser::parse_body(hcl).is_err() || !hcl.contains('{') {
                continue;
            }
            let once = format_source("embedded.wf.hcl", hcl).unwrap_or_else(|e| panic!("{e}"));
            let twice = format_source("embedded.wf.hcl", &once).unwrap();
            assert_eq!(once, twice, "not idempotent:\n{hcl}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no embedded configurations found");
}

/// Valid chunks of configuration, mangled at random (indentation, spacing around `=`,
/// blank lines, trailing blanks, CRLF): every mangled file that still parses must format
/// without tripping the safety net, and the result must be a fixed point.
#[test]
fn mangled_configurations_format_safely_and_idempotently() {
    const CHUNKS: &[&str] = &[
        "resource \"workato_project\" \"p\" {\nname = \"P\"\ndescription = \"d\" # why\ntags = [\n\"a\",\n\"b\",\n]\nlifecycle { prevent_destroy = true }\n}",
        "locals {\ntext = <<EOT\n  keep   \n\n{ [ (\nEOT\nflush = <<-EOT\n    a = b\n  EOT\nafter = 1\n}",
        "# a comment\n// another\n/* block\n   comment */",
        "output \"o\" {\nvalue = {\nfor k, v in var.m :\nk => upper(v)\nif v != \"\"\n}\nsensitive = true\n}",
        "variable \"env\" {\ntype = string\nvalidation {\ncondition = contains([\"a\", \"b\"], var.env)\nerror_message = \"env must be a or b.\"\n}\n}",
        "resource \"workato_data_table\" \"t\" {\nname = \"t\"\ncolumn {\nname = \"c\"\nrelation {\ntable_id = workato_data_table.o.id\n}\n}\n}",
        "locals {\nmsg = \"${\nvar.a\n}-%{ if true }x%{ endif }-$${lit}\"\nurl = \"https://example.com/#frag\"\nobj = merge(local.a, {\nk = 1\n})\nlist = [{\na = 1\n}, {\nb = 2\n}]\n}",
        "workato {\nregion = \"eu\" # or host\n}",
        "resource \"workato_folder\" \"f\" {\nname = jsonencode(<<EOT\n{\"a\": 1}\nEOT\n)\nfolder_id = (\nvar.x == 1\n? 2\n: 3\n)\n}",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut formatted = 0;
    for _ in 0..600 {
        let count = 1 + next(4) as usize;
        let mut text = String::new();
        for _ in 0..count {
            let chunk = CHUNKS[next(CHUNKS.len() as u64) as usize];
            for line in chunk.lines() {
                let indent = [" ", "\t", "   "][next(3) as usize].repeat(next(4) as usize);
                let line = match next(6) {
                    0 => line.replacen(" = ", "=", 1),
                    1 => line.replacen(" = ", "    =  ", 1),
                    2 => line.replacen(" {", "{", 1).replacen("\" \"", "\"  \t\"", 1),
                    3 => line.replacen(" #", "      #", 1),
                    _ => line.to_string(),
                };
                text.push_str(&indent);
                text.push_str(&line);
                if next(5) == 0 {
                    text.push_str("  \t");
                }
                text.push_str(if next(8) == 0 { "\r\n" } else { "\n" });
                if next(10) == 0 {
                    text.push('\n');
                }
            }
            text.push_str(&"\n".repeat(next(3) as usize));
        }
        if hcl::edit::parser::parse_body(&text).is_err() {
            continue;
        }
        let once = format_source("fuzz.wf.hcl", &text)
            .unwrap_or_else(|e| panic!("{e}\n--- input ---\n{text}"));
        let twice = format_source("fuzz.wf.hcl", &once).unwrap();
        assert_eq!(once, twice, "not idempotent\n--- input ---\n{text}");
        formatted += 1;
    }
    assert!(formatted > 100, "only {formatted} mangled inputs parsed");
}
