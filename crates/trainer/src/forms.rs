//! The page's one-button forms: each posts an action, so that every screen works without
//! scripts and from the keyboard. A button that the product asks about first carries the
//! question (`data-confirm`), which the page's script shows as an [OK]/[Cancel] dialog.

/// A one-button form that posts an action. It is written piece by piece, with no formatting:
/// a page holds over a hundred of them.
#[derive(Debug)]
pub struct Button<'a> {
    pub session: &'a str,
    pub act: &'a str,
    /// Hidden fields, their values already escaped for HTML (a [`Name`](super::names::Name)'s
    /// `html`, or words that need none).
    pub fields: &'a [(&'a str, &'a str)],
    pub label: &'a str,
    /// The button's element id, in pieces written one after the other.
    pub id: &'a [&'a str],
}

impl Button<'_> {
    /// The form, acting at once.
    pub fn render(&self, out: &mut String) {
        self.render_asking(out, None);
    }

    /// The form; with `question` (escaped for HTML), the page asks it before acting.
    pub fn render_asking(&self, out: &mut String, question: Option<&str>) {
        for piece in ["<form method=\"post\" action=\"/s/", self.session, "/act\" class=\"act\">"] {
            out.push_str(piece);
        }
        for (name, value) in [("do", self.act)].iter().chain(self.fields) {
            for piece in ["<input type=\"hidden\" name=\"", name, "\" value=\"", value, "\">"] {
                out.push_str(piece);
            }
        }
        out.push_str("<button type=\"submit\" id=\"");
        for piece in self.id {
            out.push_str(piece);
        }
        out.push('"');
        if let Some(question) = question {
            for piece in [" data-confirm=\"", question, "\""] {
                out.push_str(piece);
            }
        }
        for piece in [">", self.label, "</button></form>"] {
            out.push_str(piece);
        }
    }
}

/// A service's row in the Task Manager or the Services window: its name, its state, and the
/// button that turns it the other way (`act`, label, id prefix), while the session runs.
#[derive(Debug)]
pub struct ServiceRow<'a> {
    pub session: &'a str,
    pub node: &'a super::names::Name,
    pub service: &'a super::names::Name,
}

impl ServiceRow<'_> {
    pub fn render(&self, out: &mut String, data: &str, state: &str, toggle: Option<(&str, &str, &str)>) {
        let (node, service) = (self.node, &self.service.html);
        for piece in ["<tr ", data, "=\"", service, "\"><td>", service, "</td><td>", state, "</td><td>"] {
            out.push_str(piece);
        }
        if let Some((act, label, prefix)) = toggle {
            Button {
                session: self.session,
                act,
                fields: &[("node", &node.html), ("service", service)],
                label,
                id: &[prefix, "-", &node.slug, "-", &self.service.slug],
            }
            .render(out);
        }
        out.push_str("</td></tr>");
    }
}
