//! Generates the gRPC server and client of `proto/redeemer.proto` (protox parses it: no protoc).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/redeemer.proto");
    let descriptors = protox::compile(["proto/redeemer.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)?;
    Ok(())
}
