using System.Text.RegularExpressions;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// A libvirt connection's endpoint: one URI per host, separated by spaces, commas or new lines. A qemu+tls host may
/// carry its own certificate pin as a URI fragment (<c>qemu+tls://kvm1.example/system#sha256=3F2A…</c>): every host has
/// its own certificate, so one connection-wide pin cannot cover them all. A fragment is never sent to the host, and the
/// portal strips it before libvirt sees the URI, so the host's identity (its URI) does not change when a pin is added.
/// The connection-wide pin field, which older connections use, pins the first qemu+tls host (the one "Test connection"
/// always showed); a host with no pin at all is verified against the connection's CA only.
/// </summary>
public static partial class LibvirtEndpoint
{
    public const string PinPrefix = "#sha256=";

    /// <summary>One host of the endpoint: its URI (without the pin) and its pin (64 upper-case hex digits), if any.</summary>
    public sealed record Host(string Uri, string? Pin)
    {
        public bool IsTls => System.Uri.TryCreate(Uri, UriKind.Absolute, out var parsed) && parsed.Scheme.EndsWith("+tls", StringComparison.Ordinal) && parsed.Host.Length > 0;
    }

    /// <summary>The hosts, with the connection-wide pin applied to the first qemu+tls host that has none of its own.</summary>
    public static IReadOnlyList<Host> Parse(string endpoint, string? connectionPin = null)
    {
        var hosts = SaveConnection.EndpointTokens(endpoint).Select(token =>
        {
            var hash = token.IndexOf('#', StringComparison.Ordinal);
            return hash < 0 ? new Host(token, null) : new Host(token[..hash], NormalizePin(token[hash..]));
        }).ToList();
        var first = hosts.FindIndex(h => h.IsTls);
        if (connectionPin is not null && first >= 0 && hosts[first].Pin is null)
            hosts[first] = hosts[first] with { Pin = connectionPin.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant() };
        return hosts;
    }

    /// <summary>What is wrong with the endpoint's pins, or null: a pin is a SHA-256 thumbprint, on a qemu+tls host only.</summary>
    public static string? PinProblem(string endpoint, string? connectionPin)
    {
        foreach (var token in SaveConnection.EndpointTokens(endpoint))
        {
            var hash = token.IndexOf('#', StringComparison.Ordinal);
            if (hash < 0) continue;
            var host = new Host(token[..hash], null);
            if (NormalizePin(token[hash..]) is null)
                return $"'{token[hash..]}' is not a pin: write {PinPrefix} and the host certificate's SHA-256 thumbprint (64 hexadecimal digits, colons allowed).";
            if (!host.IsTls) return $"{host.Uri} is not reached over qemu+tls, so it has no certificate to pin.";
        }

        var hosts = Parse(endpoint);
        var firstTls = hosts.FirstOrDefault(h => h.IsTls);
        if (connectionPin is not null && firstTls?.Pin is { } own && !string.Equals(own, connectionPin.Replace(":", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            return $"{firstTls.Uri} has two different pins: the connection's pinned thumbprint (which pins the first qemu+tls host) and its own {PinPrefix}; keep one.";
        return null;
    }

    private static string? NormalizePin(string fragment)
    {
        if (!fragment.StartsWith(PinPrefix, StringComparison.OrdinalIgnoreCase)) return null;
        var pin = fragment[PinPrefix.Length..];
        return Thumbprint().IsMatch(pin) ? pin.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant() : null;
    }

    [GeneratedRegex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")]
    private static partial Regex Thumbprint();
}
