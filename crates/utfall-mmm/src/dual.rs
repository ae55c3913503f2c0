//! Forward-mode automatic differentiation: a value and its partial derivatives with respect to
//! `N` seeded inputs. The transforms are written once over [`Real`], so the same code gives plain
//! values (`f64`) and exact gradients (`Dual<N>`) for the sampler.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// The arithmetic the adstock and saturation functions need.
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// The number `value` with no derivative.
    fn constant(value: f64) -> Self;
    /// The value without its derivatives.
    fn value(self) -> f64;
    /// The exponential.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// `self` raised to `power`, for `self > 0`.
    fn pow(self, power: Self) -> Self {
        (self.ln() * power).exp()
    }
}

impl Real for f64 {
    fn constant(value: f64) -> Self {
        value
    }
    fn value(self) -> f64 {
        self
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
}

/// A value with `N` partial derivatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual<const N: usize> {
    /// The value.
    pub v: f64,
    /// Its partial derivatives with respect to the `N` inputs.
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// The input variable number `slot`: derivative 1 with respect to itself.
    pub fn variable(value: f64, slot: usize) -> Self {
        let mut d = [0.0; N];
        d[slot] = 1.0;
        Dual { v: value, d }
    }

    fn chain(self, value: f64, derivative: f64) -> Self {
        Dual {
            v: value,
            d: self.d.map(|x| x * derivative),
        }
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        let mut d = self.d;
        for (a, b) in d.iter_mut().zip(o.d) {
            *a += b;
        }
        Dual { v: self.v + o.v, d }
    }
}

impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self + (-o)
    }
}

impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    fn neg(self) -> Self {
        Dual {
            v: -self.v,
            d: self.d.map(|x| -x),
        }
    }
}

impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        let mut d = [0.0; N];
        for (i, x) in d.iter_mut().enumerate() {
            *x = self.d[i] * o.v + self.v * o.d[i];
        }
        Dual { v: self.v * o.v, d }
    }
}

impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        let v = self.v / o.v;
        let mut d = [0.0; N];
        for (i, x) in d.iter_mut().enumerate() {
            *x = (self.d[i] - v * o.d[i]) / o.v;
        }
        Dual { v, d }
    }
}

impl<const N: usize> Real for Dual<N> {
    fn constant(value: f64) -> Self {
        Dual {
            v: value,
            d: [0.0; N],
        }
    }
    fn value(self) -> f64 {
        self.v
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }
    fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_hand_calculations() {
        // f(x, y) = x * y / (x + y) + exp(x) * ln(y), at (2, 3):
        // df/dx = y^2/(x+y)^2 + exp(x) ln(y) = 9/25 + e^2 ln 3
        // df/dy = x^2/(x+y)^2 + exp(x)/y = 4/25 + e^2/3
        let x = Dual::<2>::variable(2.0, 0);
        let y = Dual::<2>::variable(3.0, 1);
        let f = x * y / (x + y) + x.exp() * y.ln();
        let e2 = 2f64.exp();
        assert!((f.v - (6.0 / 5.0 + e2 * 3f64.ln())).abs() < 1e-12);
        assert!((f.d[0] - (9.0 / 25.0 + e2 * 3f64.ln())).abs() < 1e-12);
        assert!((f.d[1] - (4.0 / 25.0 + e2 / 3.0)).abs() < 1e-12);
        // x^y: d/dx = y x^(y-1) = 12, d/dy = x^y ln x = 8 ln 2
        let p = x.pow(y);
        assert!((p.v - 8.0).abs() < 1e-12);
        assert!((p.d[0] - 12.0).abs() < 1e-12);
        assert!((p.d[1] - 8.0 * 2f64.ln()).abs() < 1e-12);
    }
}
