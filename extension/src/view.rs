//! The popup's view as a small tree of elements and texts: built by plain code (the dashboard),
//! turned into DOM nodes one by one by the browser shell (`web/popup.rs`), and into escaped HTML
//! for the native tests. The popup never hands the browser HTML to parse (no `innerHTML`): a
//! text is always a text node, whatever characters a page, a setting or a translation put in it,
//! and store reviewers flag `innerHTML` even when the HTML is escaped. Hand-written rather than a
//! templating crate: the shell needs the tree itself, not markup, and the whole module is a few
//! hundred bytes of wasm.

/// An element or a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An element of the popup: its tag, attributes in order, and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    tag: &'static str,
    attributes: Vec<(&'static str, String)>,
    children: Vec<Node>,
}

/// A new element without attributes or children: `element("p").attribute("class", "muted")`.
pub fn element(tag: &'static str) -> Element {
    Element { tag, attributes: Vec::new(), children: Vec::new() }
}

/// A text node.
pub fn text(text: impl Into<String>) -> Node {
    Node::Text(text.into())
}

impl Element {
    pub fn attribute(mut self, name: &'static str, value: impl Into<String>) -> Element {
        self.attributes.push((name, value.into()));
        self
    }

    pub fn child(mut self, child: impl Into<Node>) -> Element {
        self.children.push(child.into());
        self
    }

    /// Appends a text node.
    pub fn text(self, content: impl Into<String>) -> Element {
        self.child(text(content))
    }

    /// Appends a child to an element being filled in a loop.
    pub fn push(&mut self, child: impl Into<Node>) {
        self.children.push(child.into());
    }

    pub fn tag(&self) -> &'static str {
        self.tag
    }

    pub fn attributes(&self) -> &[(&'static str, String)] {
        &self.attributes
    }

    pub fn children(&self) -> &[Node] {
        &self.children
    }
}

impl From<Element> for Node {
    fn from(element: Element) -> Node {
        Node::Element(element)
    }
}

/// The nodes as HTML, every text and attribute value escaped (the native tests read it).
pub fn html(nodes: &[Node]) -> String {
    let mut html = String::new();
    for node in nodes {
        write_html(&mut html, node);
    }
    html
}

fn write_html(html: &mut String, node: &Node) {
    match node {
        Node::Text(text) => html.push_str(&escape(text)),
        Node::Element(element) => {
            html.push('<');
            html.push_str(element.tag);
            for (name, value) in &element.attributes {
                html.push(' ');
                html.push_str(name);
                html.push_str("=\"");
                html.push_str(&escape(value));
                html.push('"');
            }
            html.push('>');
            for child in &element.children {
                write_html(html, child);
            }
            html.push_str("</");
            html.push_str(element.tag);
            html.push('>');
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
