//! Operators searches (`AND`, `OR`, `NOT`, `( )`, `"phrases"`): the
//! tokenizer and the parser that turn the text into a
//! [`SearchExpression`], naming a malformed one's character position, and
//! how an expression is evaluated and listed.

use super::{InvalidSearch, SearchExpression};

impl SearchExpression {
    /// The terms, left to right (a term that occurs twice is listed twice).
    pub fn terms(&self) -> Vec<&str> {
        let mut terms = Vec::new();
        self.collect_terms(&mut terms);
        terms
    }

    fn collect_terms<'a>(&'a self, terms: &mut Vec<&'a str>) {
        match self {
            Self::Term(term) => terms.push(term),
            Self::And(left, right) | Self::Or(left, right) => {
                left.collect_terms(terms);
                right.collect_terms(terms);
            }
            Self::Not(inner) => inner.collect_terms(terms),
        }
    }

    /// Evaluates the expression; `term_matches(i)` says whether the `i`th
    /// term (in [`Self::terms`] order) matches. Every term is visited, so
    /// the numbering stays in step.
    pub(super) fn evaluate(
        &self,
        next: &mut usize,
        term_matches: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        match self {
            Self::Term(_) => {
                let index = *next;
                *next += 1;
                term_matches(index)
            }
            Self::And(left, right) => {
                let left = left.evaluate(next, term_matches);
                let right = right.evaluate(next, term_matches);
                left && right
            }
            Self::Or(left, right) => {
                let left = left.evaluate(next, term_matches);
                let right = right.evaluate(next, term_matches);
                left || right
            }
            Self::Not(inner) => !inner.evaluate(next, term_matches),
        }
    }

    /// The indexes of the terms not under a `NOT`: the ones highlighted.
    pub(super) fn positive_terms(&self) -> Vec<usize> {
        let mut positive = Vec::new();
        let mut next = 0;
        self.mark_positive(false, &mut next, &mut positive);
        positive
    }

    fn mark_positive(&self, negated: bool, next: &mut usize, positive: &mut Vec<usize>) {
        match self {
            Self::Term(_) => {
                if !negated {
                    positive.push(*next);
                }
                *next += 1;
            }
            Self::And(left, right) | Self::Or(left, right) => {
                left.mark_positive(negated, next, positive);
                right.mark_positive(negated, next, positive);
            }
            Self::Not(inner) => inner.mark_positive(!negated, next, positive),
        }
    }
}

/// One piece of an operators search, with its 1-based character position.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Term(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, InvalidSearch> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().enumerate().peekable();
    while let Some((index, character)) = chars.next() {
        let position = index + 1;
        match character {
            c if c.is_whitespace() => {}
            '(' => tokens.push((Token::Open, position)),
            ')' => tokens.push((Token::Close, position)),
            '"' => {
                let mut phrase = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    if c == '"' {
                        if chars.peek().is_some_and(|(_, next)| *next == '"') {
                            chars.next();
                            phrase.push('"');
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    phrase.push(c);
                }
                if !closed {
                    return Err(InvalidSearch::at(
                        position,
                        "this quote is never closed; end the phrase with \"",
                    ));
                }
                if phrase.is_empty() {
                    return Err(InvalidSearch::at(position, "the phrase \"\" is empty"));
                }
                tokens.push((Token::Term(phrase), position));
            }
            first => {
                let mut word = String::from(first);
                while let Some((_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                        break;
                    }
                    word.push(*c);
                    chars.next();
                }
                let token = match word.as_str() {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    "NOT" => Token::Not,
                    _ => {
                        // `prefix*` is accepted: a term already matches
                        // inside words, so the star adds nothing.
                        let term = word.trim_end_matches('*');
                        if term.is_empty() {
                            return Err(InvalidSearch::at(
                                position,
                                "\"*\" must follow a word, as in build*",
                            ));
                        }
                        Token::Term(term.to_owned())
                    }
                };
                tokens.push((token, position));
            }
        }
    }
    Ok(tokens)
}

/// Parses an operators search: `OR` binds loosest, then `AND` (or two
/// terms side by side), then `NOT`, which is a prefix (`NOT a`) or, as in
/// SQLite's full-text syntax, binary (`a NOT b` is `a AND NOT b`).
pub fn parse_expression(text: &str) -> Result<SearchExpression, InvalidSearch> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(InvalidSearch {
            position: None,
            reason: "the search has no terms".to_owned(),
        });
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        end: text.chars().count() + 1,
    };
    let expression = parser.or()?;
    if let Some((token, position)) = parser.tokens.get(parser.next) {
        let reason = if *token == Token::Close {
            "this \")\" has no \"(\" before it"
        } else {
            "unexpected text here"
        };
        return Err(InvalidSearch::at(*position, reason));
    }
    Ok(expression)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    /// The position just after the text, for "missing at the end".
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(token, _)| token)
    }

    fn position(&self) -> usize {
        self.tokens
            .get(self.next)
            .map_or(self.end, |(_, position)| *position)
    }

    fn or(&mut self) -> Result<SearchExpression, InvalidSearch> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            let right = self.operand("OR")?;
            left = SearchExpression::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<SearchExpression, InvalidSearch> {
        let mut left = self.unary()?;
        loop {
            let right = match self.peek() {
                Some(Token::And) => {
                    self.next += 1;
                    self.operand("AND")?
                }
                Some(Token::Not) => self.unary()?,
                Some(Token::Term(_) | Token::Open) => self.unary()?,
                _ => return Ok(left),
            };
            left = SearchExpression::And(Box::new(left), Box::new(right));
        }
    }

    /// The operand after a binary operator, or an error naming it.
    fn operand(&mut self, operator: &str) -> Result<SearchExpression, InvalidSearch> {
        match self.peek() {
            Some(Token::Term(_) | Token::Open | Token::Not) => self.unary(),
            _ => Err(InvalidSearch::at(
                self.position(),
                format!("{operator} needs a term after it"),
            )),
        }
    }

    fn unary(&mut self) -> Result<SearchExpression, InvalidSearch> {
        let position = self.position();
        match self.tokens.get(self.next).map(|(token, _)| token.clone()) {
            Some(Token::Not) => {
                self.next += 1;
                let inner = self.operand("NOT")?;
                Ok(SearchExpression::Not(Box::new(inner)))
            }
            Some(Token::Term(term)) => {
                self.next += 1;
                Ok(SearchExpression::Term(term))
            }
            Some(Token::Open) => {
                self.next += 1;
                if self.peek() == Some(&Token::Close) {
                    return Err(InvalidSearch::at(position, "the parentheses are empty"));
                }
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(InvalidSearch::at(
                        position,
                        "this \"(\" is never closed; add a \")\"",
                    ));
                }
                self.next += 1;
                Ok(inner)
            }
            Some(Token::And) => Err(InvalidSearch::at(position, "AND needs a term before it")),
            Some(Token::Or) => Err(InvalidSearch::at(position, "OR needs a term before it")),
            Some(Token::Close) => Err(InvalidSearch::at(
                position,
                "this \")\" has no \"(\" before it",
            )),
            None => Err(InvalidSearch::at(position, "a term is missing at the end")),
        }
    }
}
