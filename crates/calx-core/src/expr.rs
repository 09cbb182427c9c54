//! A small expression language for calculators: numbers with units of measure, dotted paths,
//! `+ - * /`, unary minus, parentheses, `min(a, b)` and `max(a, b)`, with dimensions checked.
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := '-' unary | primary
//! primary := NUMBER [UNIT] | PATH | ('min' | 'max') '(' expr ',' expr ')' | '(' expr ')'
//! ```
//!
//! A number may be followed by a unit of measure of the [`UnitTable`] (`1.05 t/h`, `25 degC`,
//! `0.3`): the unit starts with a letter, `%` or `_` and runs to the next space, `(`, `)`,
//! `,`, `+` or `*` (so write `2 t/h / 3`, with spaces, to divide a quantity). The literal is
//! read by [`UnitTable::parse`], so it means exactly what it means in a flowsheet field
//! (a lone temperature is absolute: `25 degC` is 298.15 K, `-5 degC` 268.15 K). Such a
//! temperature with an offset unit (`degC`, `degF`) must be the whole expression: combined
//! with other terms it would silently change meaning (`T + 10 degC` would add 283.15 K), so
//! inside arithmetic temperatures and their differences are written in K. A path is a dotted name with at
//! least one dot (`streams.raw_ash.total`, `streams.vent.flows.Ca(OH)2`: a segment may carry
//! a parenthesised part, as component names do); what it names is for the caller to say
//! ([`Expr::paths`]). Everything is SI inside.
//!
//! Dimensions: both sides of `+`, `-`, `min` and `max` must have the same dimension; `*` and
//! `/` multiply and divide dimensions. [`Expr::dimension`] checks an expression before it is
//! ever evaluated, with a path's dimension unknown where the caller cannot know it yet (a
//! unit's size figure, which comes with the unit's report); [`Expr::evaluate`] checks again
//! with every dimension known. A division by zero and a result that is not finite are errors
//! (never a NaN passed on).
//!
//! Every parse and dimension error carries the byte offset inside the expression text
//! ([`ExprError::column`], 0-based), so the flowsheet layer can point at file:line:col.
//!
//! Why our own parser: the maintained expression crates (`evalexpr`, `meval`, `fasteval`)
//! evaluate plain numbers (or dynamically typed values) over their own variable syntax; none
//! knows units of measure, dimension exponents, or paths such as `flows.Ca(OH)2`, and their
//! errors do not all carry a position. The grammar above is five rules; a recursive-descent
//! parser of about two hundred lines is smaller than the adapter would be.

use crate::dimension::Dimension;
use crate::quantity::UnitTable;

/// A byte range of the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A path as written in an expression, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathRef {
    /// The dotted path.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    text: String,
    root: Node,
    paths: Vec<PathRef>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Number(f64, Dimension),
    Path(usize),
    Neg(Box<Node>),
    Binary { op: Op, span: Span, left: Box<Node>, right: Box<Node> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Min => "min",
            Op::Max => "max",
        }
    }
}

/// An expression that cannot be read, or whose dimensions do not fit together.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message} (at column {} of the expression)", column + 1)]
pub struct ExprError {
    /// Byte offset in the expression text (0-based) where the problem is.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Why an expression could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError<E: std::error::Error + 'static> {
    /// A path's value could not be read (the caller's error).
    #[error("reading `{path}`: {source}")]
    Path {
        /// The path.
        path: String,
        /// The caller's error.
        #[source]
        source: E,
    },
    /// Dimensions that do not fit, known only at evaluation (a unit's size figure).
    #[error(transparent)]
    Dimension(ExprError),
    /// A division by zero.
    #[error("division by zero (at column {} of the expression)", column + 1)]
    DivisionByZero {
        /// Byte offset of the `/`.
        column: usize,
    },
    /// A result that is not a finite number.
    #[error("the value is not a finite number ({value})")]
    NotFinite {
        /// The value.
        value: f64,
    },
}

fn err(column: usize, message: impl Into<String>) -> ExprError {
    ExprError { column, message: message.into() }
}

impl Expr {
    /// Parse `text`, reading number literals with `units`.
    pub fn parse(text: &str, units: &UnitTable) -> Result<Expr, ExprError> {
        let mut p = Parser { text, pos: 0, units, paths: Vec::new(), offsets: Vec::new() };
        p.skip_space();
        if p.pos == text.len() {
            return Err(err(0, "the expression is empty"));
        }
        let root = p.expr()?;
        p.skip_space();
        if p.pos < text.len() {
            return Err(err(p.pos, format!("unexpected `{}`; expected an operator or the end", p.rest_token())));
        }
        // `25 degC` is 298.15 K, an absolute temperature: added to, subtracted from or scaled
        // with anything else it would silently mean something else (`T + 10 degC` adding
        // 283.15 K). Alone it is what the same text means in any field.
        if let Some(&at) = p.offsets.first()
            && !matches!(root, Node::Number(..))
        {
            return Err(err(
                at,
                "a temperature in degC or degF is absolute (25 degC = 298.15 K) and cannot be combined with \
                 other terms; inside an expression write temperatures and temperature differences in K",
            ));
        }
        Ok(Expr { text: text.to_string(), root, paths: p.paths })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every path in the order written (an index here is what resolvers receive).
    pub fn paths(&self) -> &[PathRef] {
        &self.paths
    }

    /// The dimension of the expression given each path's dimension (`None` where not yet
    /// known: then what depends on it is unknown too, and checked at evaluation).
    pub fn dimension(&self, dim_of: impl Fn(usize) -> Option<Dimension>) -> Result<Option<Dimension>, ExprError> {
        self.dim(&self.root, &dim_of)
    }

    fn dim(&self, node: &Node, dim_of: &dyn Fn(usize) -> Option<Dimension>) -> Result<Option<Dimension>, ExprError> {
        Ok(match node {
            Node::Number(_, d) => Some(*d),
            Node::Path(i) => dim_of(*i),
            Node::Neg(inner) => self.dim(inner, dim_of)?,
            Node::Binary { op, span, left, right } => {
                let (a, b) = (self.dim(left, dim_of)?, self.dim(right, dim_of)?);
                combine(*op, *span, a, b)?
            }
        })
    }

    /// Evaluate with each path's SI value and dimension from `value` (called once per path
    /// occurrence, with its index in [`Expr::paths`]).
    pub fn evaluate<E: std::error::Error + 'static>(
        &self,
        value: &mut dyn FnMut(usize) -> Result<(f64, Dimension), E>,
    ) -> Result<(f64, Dimension), EvalError<E>> {
        let (v, d) = self.eval(&self.root, value)?;
        if !v.is_finite() {
            return Err(EvalError::NotFinite { value: v });
        }
        Ok((v, d))
    }

    fn eval<E: std::error::Error + 'static>(
        &self,
        node: &Node,
        value: &mut dyn FnMut(usize) -> Result<(f64, Dimension), E>,
    ) -> Result<(f64, Dimension), EvalError<E>> {
        Ok(match node {
            Node::Number(v, d) => (*v, *d),
            Node::Path(i) => {
                value(*i).map_err(|source| EvalError::Path { path: self.paths[*i].text.clone(), source })?
            }
            Node::Neg(inner) => {
                let (v, d) = self.eval(inner, value)?;
                (-v, d)
            }
            Node::Binary { op, span, left, right } => {
                let (a, da) = self.eval(left, value)?;
                let (b, db) = self.eval(right, value)?;
                let d = combine(*op, *span, Some(da), Some(db)).map_err(EvalError::Dimension)?.unwrap_or(da);
                let v = match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div if b == 0.0 => return Err(EvalError::DivisionByZero { column: span.start }),
                    Op::Div => a / b,
                    Op::Min => a.min(b),
                    Op::Max => a.max(b),
                };
                (v, d)
            }
        })
    }
}

/// The dimension of `a op b`; an error at `span` when they do not fit.
fn combine(op: Op, span: Span, a: Option<Dimension>, b: Option<Dimension>) -> Result<Option<Dimension>, ExprError> {
    match op {
        Op::Mul => Ok(a.zip(b).map(|(a, b)| a * b)),
        Op::Div => Ok(a.zip(b).map(|(a, b)| a / b)),
        Op::Add | Op::Sub | Op::Min | Op::Max => match (a, b) {
            (Some(a), Some(b)) if a != b => Err(err(
                span.start,
                format!(
                    "`{}` needs the same dimension on both sides: {} and {}",
                    op.symbol(),
                    a.describe(),
                    b.describe()
                ),
            )),
            (a, b) => Ok(a.or(b)),
        },
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    units: &'a UnitTable,
    paths: Vec<PathRef>,
    /// Where literals with an offset unit (a lone `degC` or `degF`) start.
    offsets: Vec<usize>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += self.peek().map_or(0, char::len_utf8);
        }
    }

    /// The next few characters, for messages.
    fn rest_token(&self) -> String {
        let rest = &self.text[self.pos..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest[..end].chars().take(20).collect()
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Node, ExprError> {
        let mut left = self.term()?;
        loop {
            self.skip_space();
            let op = match self.peek() {
                Some('+') => Op::Add,
                Some('-') => Op::Sub,
                _ => return Ok(left),
            };
            let span = Span { start: self.pos, end: self.pos + 1 };
            self.pos += 1;
            let right = self.term()?;
            left = Node::Binary { op, span, left: Box::new(left), right: Box::new(right) };
        }
    }

    fn term(&mut self) -> Result<Node, ExprError> {
        let mut left = self.unary()?;
        loop {
            self.skip_space();
            let op = match self.peek() {
                Some('*') => Op::Mul,
                Some('/') => Op::Div,
                _ => return Ok(left),
            };
            let span = Span { start: self.pos, end: self.pos + 1 };
            self.pos += 1;
            let right = self.unary()?;
            left = Node::Binary { op, span, left: Box::new(left), right: Box::new(right) };
        }
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        self.skip_space();
        let minus = self.pos;
        if self.eat('-') {
            // A minus written against a number belongs to it, as in any field: `-5 degC` is
            // 268.15 K, not the negative of 278.15 K.
            if self.text[self.pos..].chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                let offsets = self.offsets.len();
                let magnitude = self.number()?;
                if self.offsets.len() == offsets {
                    return Ok(Node::Neg(Box::new(magnitude)));
                }
                // An offset unit: read the signed literal as a field would.
                self.offsets.pop();
                self.offsets.push(minus);
                let literal = &self.text[minus..self.pos];
                let q = self.units.parse(literal).map_err(|e| err(minus, e.to_string()))?;
                return Ok(Node::Number(q.value, q.dimension));
            }
            return Ok(Node::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        self.skip_space();
        let start = self.pos;
        match self.peek() {
            None => Err(err(start, "the expression ends where a value is expected")),
            Some('(') => {
                self.pos += 1;
                let inner = self.expr()?;
                if !self.eat(')') {
                    return Err(err(self.pos, "expected `)` to close the `(`"));
                }
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => self.name(),
            Some(_) => Err(err(start, format!("unexpected `{}`; expected a number, a path or `(`", self.rest_token()))),
        }
    }

    /// A number and its unit, read by the unit table.
    fn number(&mut self) -> Result<Node, ExprError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            if j < bytes.len() && bytes[j].is_ascii_digit() {
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let mut end = i;
        let mut k = i;
        while k < bytes.len() && bytes[k] == b' ' {
            k += 1;
        }
        if self.text[k..].chars().next().is_some_and(|c| c.is_alphabetic() || c == '%' || c == '_') {
            let mut prev = ' ';
            let unit_len = self.text[k..]
                .chars()
                .take_while(|&c| {
                    let keep = !(c.is_whitespace() || "()+*,".contains(c) || (c == '-' && prev != '^'));
                    prev = c;
                    keep
                })
                .map(char::len_utf8)
                .sum::<usize>();
            end = k + unit_len;
        }
        self.pos = end;
        let literal = &self.text[start..end];
        let q = self.units.parse(literal).map_err(|e| err(start, e.to_string()))?;
        if k < end && self.units.unit(&self.text[k..end]).is_ok_and(|u| u.offset != 0.0) {
            self.offsets.push(start);
        }
        Ok(Node::Number(q.value, q.dimension))
    }

    /// A function call (`min`, `max`) or a dotted path.
    fn name(&mut self) -> Result<Node, ExprError> {
        let start = self.pos;
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let mut has_dot = false;
        loop {
            let rest = &self.text[self.pos..];
            let n: usize = rest.chars().take_while(|&c| word(c)).map(char::len_utf8).sum();
            self.pos += n;
            // A component name's parenthesised part (`Ca(OH)2`) inside a path's last parts.
            if has_dot && n > 0 && self.peek() == Some('(') {
                let Some(close) = self.text[self.pos..].find(')') else {
                    return Err(err(self.pos, "expected `)` to close the `(` in the path"));
                };
                self.pos += close + 1;
                continue;
            }
            if self.peek() == Some('.') {
                has_dot = true;
                self.pos += 1;
                if !self.peek().is_some_and(word) {
                    return Err(err(self.pos, "a path part is empty or starts with an unexpected character"));
                }
                continue;
            }
            break;
        }
        let text = &self.text[start..self.pos];
        if has_dot {
            self.paths.push(PathRef { text: text.to_string(), span: Span { start, end: self.pos } });
            return Ok(Node::Path(self.paths.len() - 1));
        }
        let op = match text {
            "min" => Op::Min,
            "max" => Op::Max,
            _ => {
                return Err(err(
                    start,
                    format!(
                        "unknown name `{text}`; a value is a number (with its unit), a path such as \
                         `streams.S.total`, or min(a, b), max(a, b)"
                    ),
                ));
            }
        };
        if !self.eat('(') {
            return Err(err(self.pos, format!("expected `(` after `{text}`")));
        }
        let left = self.expr()?;
        if !self.eat(',') {
            return Err(err(self.pos, format!("expected `,` between the two arguments of `{text}`")));
        }
        let right = self.expr()?;
        if !self.eat(')') {
            return Err(err(self.pos, format!("expected `)` after the two arguments of `{text}`")));
        }
        Ok(Node::Binary { op, span: Span { start, end: self.pos }, left: Box::new(left), right: Box::new(right) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("no such path")]
    struct NoPath;

    fn eval(text: &str) -> (f64, Dimension) {
        eval_with(text, &[])
    }

    fn eval_with(text: &str, values: &[(&str, f64, Dimension)]) -> (f64, Dimension) {
        let e = Expr::parse(text, &UnitTable::builtin()).unwrap_or_else(|e| panic!("{text}: {e}"));
        let paths = e.paths().to_vec();
        let mut resolve =
            |i: usize| values.iter().find(|(p, _, _)| *p == paths[i].text).map(|&(_, v, d)| (v, d)).ok_or(NoPath);
        e.evaluate(&mut resolve).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn parse_error(text: &str) -> ExprError {
        match Expr::parse(text, &UnitTable::builtin()) {
            Ok(e) => panic!("{text} parsed as {e:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_temperature_in_degc_means_what_it_means_in_any_field_or_is_refused() {
        // Alone, and with its minus sign: as a flowsheet field reads it.
        assert!((eval("25 degC").0 - 298.15).abs() < 1e-12);
        assert!((eval("-5 degC").0 - 268.15).abs() < 1e-12);
        assert!((eval("-5 K").0 + 5.0).abs() < 1e-12);
        // Combined with anything, the offset would change the meaning: refused at the literal.
        for (text, column) in
            [("streams.a.T + 10 degC", 14), ("0 degC - 10 degC", 0), ("2 * 25 degF", 4), ("min(20 degC, 300 K)", 4)]
        {
            let e = parse_error(text);
            assert_eq!(e.column, column, "{text}: {e}");
            assert!(e.to_string().contains("in K"), "{e}");
        }
        // In kelvin the arithmetic is plain: a temperature plus a difference.
        let t = eval_with("streams.a.T + 10 K", &[("streams.a.T", 300.0, Dimension::TEMPERATURE)]);
        assert_eq!(t.0, 310.0);
        // A minus before a path or a parenthesis stays a negation.
        assert_eq!(eval("-(2 - 5)").0, 3.0);
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(eval("1 + 2 * 3").0, 7.0);
        assert_eq!(eval("(1 + 2) * 3").0, 9.0);
        assert_eq!(eval("8 / 4 / 2").0, 1.0, "left associative");
        assert_eq!(eval("10 - 4 - 3").0, 3.0, "left associative");
        assert_eq!(eval("-2 * -3").0, 6.0);
        assert_eq!(eval("- (1 - 3)").0, 2.0);
        assert_eq!(eval("2e3 + 1.5E-1").0, 2000.15);
        assert_eq!(eval("min(3, 1 + 1) + max(-1, -2)").0, 1.0);
    }

    #[test]
    fn numbers_carry_their_units_in_si() {
        // 1.05 t/h = 1050 kg / 3600 s = 0.291666... kg/s.
        let (v, d) = eval("1.05 t/h");
        assert!((v - 1050.0 / 3600.0).abs() < 1e-15);
        assert_eq!(d, Dimension::MASS_FLOW);
        // 3.6 t/h / 2 = 1 kg/s / 2: the spaced slash divides, the unit's slash does not.
        assert!((eval("3.6 t/h / 2").0 - 0.5).abs() < 1e-15);
        assert!((eval("3.6t/h*2").0 - 2.0).abs() < 1e-15);
        assert_eq!(eval("5.1"), (5.1, Dimension::DIMENSIONLESS));
        assert_eq!(eval("25 degC").0, 298.15);
        // 2 kW * 1 h = 7.2e6 J.
        assert_eq!(eval("2 kW * 1 h"), (7.2e6, Dimension::ENERGY));
        assert_eq!(eval("1 m^-3 * 2 m3").1, Dimension::DIMENSIONLESS);
    }

    #[test]
    fn paths_are_resolved_by_the_caller() {
        let flow = Dimension::MASS_FLOW;
        let (v, d) = eval_with(
            "streams.raw_ash.total * 5.13 + streams.vent.flows.Ca(OH)2",
            &[("streams.raw_ash.total", 2.0, flow), ("streams.vent.flows.Ca(OH)2", 0.5, flow)],
        );
        // 2 * 5.13 + 0.5 = 10.76 kg/s.
        assert!((v - 10.76).abs() < 1e-12);
        assert_eq!(d, flow);
        let e = Expr::parse("units.mill.sizes.co2_fixed / (streams.p.total)", &UnitTable::builtin()).unwrap();
        let texts: Vec<_> = e.paths().iter().map(|p| (p.text.as_str(), p.span.start, p.span.end)).collect();
        assert_eq!(texts, [("units.mill.sizes.co2_fixed", 0, 26), ("streams.p.total", 30, 45)]);
    }

    #[test]
    fn dimensions_are_checked_with_positions() {
        let e = Expr::parse("streams.a.total + streams.a.T", &UnitTable::builtin()).unwrap();
        let dims = [Some(Dimension::MASS_FLOW), Some(Dimension::TEMPERATURE)];
        let problem = e.dimension(|i| dims[i]).err().unwrap();
        assert_eq!(problem.column, 16);
        assert!(problem.message.contains("mass flow") && problem.message.contains("temperature"), "{problem}");
        // A product multiplies dimensions; an unknown dimension stays unknown.
        let e = Expr::parse("streams.a.total * 2 h", &UnitTable::builtin()).unwrap();
        assert_eq!(e.dimension(|_| Some(Dimension::MASS_FLOW)).unwrap(), Some(Dimension::MASS));
        assert_eq!(e.dimension(|_| None).unwrap(), None);
        let e = Expr::parse("max(1 kg, 2 s)", &UnitTable::builtin()).unwrap();
        assert_eq!(e.dimension(|_| None).err().unwrap().column, 0);
        // Unknown statically, caught at evaluation.
        let e = Expr::parse("units.u.sizes.x + 1 kg", &UnitTable::builtin()).unwrap();
        assert_eq!(e.dimension(|_| None).unwrap(), Some(Dimension::MASS));
        let outcome = e.evaluate(&mut |_| Ok::<_, NoPath>((1.0, Dimension::VOLUME)));
        assert!(matches!(outcome, Err(EvalError::Dimension(ExprError { column: 16, .. }))), "{outcome:?}");
    }

    #[test]
    fn parse_errors_carry_their_column() {
        let cases = [
            ("", 0, "empty"),
            ("1 +", 3, "ends where a value"),
            ("(1 + 2", 6, "expected `)`"),
            ("1 2", 2, "unexpected `2`"),
            ("2 * total", 4, "unknown name `total`"),
            ("min(1)", 5, "expected `,`"),
            ("streams..total", 8, "path part is empty"),
            ("3 tons/h", 0, "unknown unit of measure"),
            ("1 + # 2", 4, "unexpected `#`"),
        ];
        for (text, column, words) in cases {
            let e = parse_error(text);
            assert_eq!(e.column, column, "{text}: {e}");
            assert!(e.message.contains(words), "{text}: {e}");
        }
    }

    #[test]
    fn division_by_zero_and_non_finite_results_are_errors() {
        let e = Expr::parse("1 / (streams.a.total - 2)", &UnitTable::builtin()).unwrap();
        let outcome = e.evaluate(&mut |_| Ok::<_, NoPath>((2.0, Dimension::DIMENSIONLESS)));
        assert!(matches!(outcome, Err(EvalError::DivisionByZero { column: 2 })), "{outcome:?}");
        let e = Expr::parse("streams.a.total * 2", &UnitTable::builtin()).unwrap();
        let outcome = e.evaluate(&mut |_| Ok::<_, NoPath>((f64::NAN, Dimension::DIMENSIONLESS)));
        assert!(matches!(outcome, Err(EvalError::NotFinite { .. })), "{outcome:?}");
        let outcome = e.evaluate(&mut |_| Err(NoPath));
        assert!(outcome.unwrap_err().to_string().contains("reading `streams.a.total`"));
    }
}
