"""ipaddress, copied into the project: networks, subnets, hosts (generators resumed many times)."""

import user_ipaddress as ip

net = ip.ip_network("192.168.10.0/28")
print(net, net.num_addresses, net.broadcast_address)
print([str(host) for host in net.hosts()][:5])
print([str(sub) for sub in net.subnets(prefixlen_diff=2)])
print(ip.ip_address("10.0.0.1") in ip.ip_network("10.0.0.0/8"))
print(list(ip.summarize_address_range(ip.IPv4Address("10.0.0.0"), ip.IPv4Address("10.0.0.9"))))
print(ip.ip_interface("2001:db8::1/64").network, ip.ip_address("::ffff:1.2.3.4").ipv4_mapped)
