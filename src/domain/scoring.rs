//! What a challenge is worth: static points, or CTFd's dynamic formulas over the number of teams that
//! solved it. Every solver gets the current value, so a dynamic challenge's worth falls for all of them.

/// How a challenge's value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Static { points: i32 },
    Linear { initial: i32, minimum: i32, decay: i32 },
    Logarithmic { initial: i32, minimum: i32, decay: i32 },
}

impl Value {
    /// From the columns `scoring_function`, `points` (or initial), `minimum`, `decay`.
    pub fn from_columns(function: &str, points: i32, minimum: i32, decay: i32) -> Value {
        match function {
            "linear" => Value::Linear { initial: points, minimum, decay },
            "logarithmic" => Value::Logarithmic { initial: points, minimum, decay },
            _ => Value::Static { points },
        }
    }

    pub fn is_dynamic(self) -> bool {
        !matches!(self, Value::Static { .. })
    }

    /// The value when `solves` teams have solved it (the first solver gets the initial value):
    /// linear `initial − decay·(n−1)`, logarithmic `initial + (minimum − initial)/decay²·(n−1)²`, both rounded
    /// up and never below `minimum`.
    pub fn at(self, solves: u32) -> i32 {
        let n = f64::from(solves.saturating_sub(1));
        let (raw, minimum) = match self {
            Value::Static { points } => return points,
            Value::Linear { initial, minimum, decay } => (f64::from(initial) - f64::from(decay) * n, minimum),
            Value::Logarithmic { initial, minimum, decay } => {
                let decay = f64::from(decay.max(1));
                (f64::from(initial) + (f64::from(minimum) - f64::from(initial)) / (decay * decay) * n * n, minimum)
            }
        };
        // The value is bounded by `initial` above and `minimum` below, so it fits an i32.
        (raw.ceil() as i64).max(i64::from(minimum)).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_points_do_not_move() {
        assert_eq!(Value::Static { points: 100 }.at(0), 100);
        assert_eq!(Value::Static { points: 100 }.at(50), 100);
    }

    #[test]
    fn linear_falls_by_decay_per_solver_after_the_first() {
        let v = Value::Linear { initial: 500, minimum: 100, decay: 20 };
        assert_eq!(v.at(0), 500);
        assert_eq!(v.at(1), 500);
        assert_eq!(v.at(2), 480);
        assert_eq!(v.at(11), 300);
        assert_eq!(v.at(100), 100, "floored at the minimum");
    }

    #[test]
    fn logarithmic_follows_ctfd() {
        // CTFd: initial + (minimum - initial) / decay^2 * (n-1)^2, rounded up.
        let v = Value::Logarithmic { initial: 500, minimum: 100, decay: 10 };
        assert_eq!(v.at(1), 500);
        assert_eq!(v.at(2), 496);
        assert_eq!(v.at(6), 400);
        assert_eq!(v.at(11), 100);
        assert_eq!(v.at(30), 100);
        let odd = Value::Logarithmic { initial: 400, minimum: 100, decay: 15 };
        assert_eq!(odd.at(4), 388, "400 - 300/225*9 = 388");
        assert_eq!(odd.at(5), 379, "400 - 300/225*16 = 378.67, rounded up");
    }
}
