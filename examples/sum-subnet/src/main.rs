//! The sum subnet's binary: `miner`, `validator`, `register`, `status`, `protocol`
//! with Bittensor's flags (`cargo run -p sum-subnet -- --help`).

fn main() -> std::process::ExitCode {
    subnet_core::cli::main::<sum_subnet::sum::Subnet>()
}
