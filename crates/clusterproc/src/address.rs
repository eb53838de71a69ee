//! `--listen` addresses of the commands that serve (`serve`, `train`): an IP and port, or a
//! host name the machine resolves.

/// A `--listen` address: `IP:PORT`, or `HOST:PORT` for a name the machine resolves
/// (`localhost:0`), the first address it resolves to.
pub fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!("expected an address and port like 127.0.0.1:29003 or localhost:0, not {text:?}"));
    };
    let port: u16 = port.parse().map_err(|_| format!("{port:?} is not a port number (0 to 65535)"))?;
    match (host, port).to_socket_addrs() {
        Ok(mut addresses) => addresses.next().ok_or_else(|| format!("{host:?} resolves to no address")),
        Err(error) => Err(format!("cannot resolve {host:?}: {error}")),
    }
}
