#!/usr/bin/env python3
"""Writes a synthetic Nessus v2 report (`.nessus`) of N findings for the import benchmark.

    python3 scripts/gen_nessus.py 100000 > /tmp/nessus-100k.nessus

Deterministic: the same N gives the same bytes. N findings over N/200 hosts (200 a host, at
least one host), each with the fields a real Nessus item carries (port, plugin, severity 1 to
4, description, solution, plugin output, a CVE, a CVSS 3 vector and score), and each host its
HostProperties (address, FQDN, NetBIOS name), so that the reader and the importer do the work
a real scan of that size asks of them.
"""
import sys
from xml.sax.saxutils import escape

VECTORS = [
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", "5.3", 2),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "7.5", 3),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "9.8", 4),
    ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", "3.3", 1),
]


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    per_host = 200
    hosts = max(1, (total + per_host - 1) // per_host)
    out = sys.stdout
    out.write('<?xml version="1.0" ?>\n<NessusClientData_v2>\n<Report name="synthetic" xmlns:cm="http://www.nessus.org/cm">\n')
    written = 0
    for h in range(hosts):
        ip = f"10.{h // 65536 % 256}.{h // 256 % 256}.{h % 256}"
        out.write(f'<ReportHost name="{ip}"><HostProperties>\n')
        out.write(f'<tag name="host-ip">{ip}</tag>\n<tag name="host-fqdn">srv{h}.exemple.gouv.qc.ca</tag>\n')
        out.write(f'<tag name="netbios-name">SRV{h}</tag>\n<tag name="operating-system">Microsoft Windows Server 2019</tag>\n')
        out.write("</HostProperties>\n")
        for i in range(per_host):
            if written == total:
                break
            vector, score, severity = VECTORS[i % len(VECTORS)]
            plugin = 100_000 + i
            port = (443, 445, 3389, 22)[i % 4]
            name = escape(f"Synthetic weakness {plugin} in service on port {port} <{i % 7}>")
            out.write(
                f'<ReportItem port="{port}" svc_name="svc" protocol="tcp" severity="{severity}" '
                f'pluginID="{plugin}" pluginName="{escape(name)}" pluginFamily="General">\n'
                f"<description>The remote service on port {port} is affected by weakness {plugin}. "
                f"An attacker could exploit it to read or change data &amp; disrupt the service.</description>\n"
                f"<solution>Apply the vendor's update for weakness {plugin}.</solution>\n"
                f"<synopsis>Weakness {plugin}.</synopsis>\n"
                f"<risk_factor>Medium</risk_factor>\n"
                f"<cve>CVE-2024-{(i % 9000) + 1000}</cve>\n"
                f"<cvss3_vector>{vector}</cvss3_vector>\n<cvss3_base_score>{score}</cvss3_base_score>\n"
                f"<plugin_output>Version installed : 1.{i % 10}.{h % 10}\nFixed version : 2.0.0</plugin_output>\n"
                "</ReportItem>\n"
            )
            written += 1
        out.write("</ReportHost>\n")
    out.write("</Report>\n</NessusClientData_v2>\n")


if __name__ == "__main__":
    main()
