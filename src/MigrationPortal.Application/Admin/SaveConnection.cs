using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator adds a connection or edits one (ID given). The secret is encrypted before it is stored; on edit a
/// null secret keeps the old one. The audit records what changed, never the secret itself.
/// </summary>
public sealed partial class SaveConnection(IPortalDb db, AccessGuard guard, ISecretProtector secrets, IMigrationJobs jobs, TimeProvider time)
{
    /// <param name="Endpoint">vSphere: the SDK URL. libvirt: one URI per host (qemu+tls://, qemu+ssh:// or qemu+unix://), separated by spaces, commas or new lines.</param>
    /// <param name="ClientKeyPem">Write-only like <paramref name="Secret"/>: null keeps the stored key.</param>
    public sealed record Command(Guid? Id, string Name, string Kind, string Endpoint, string? Username, string? Secret, string? PinnedThumbprint, bool AllowUnencryptedMigration,
        string? CaCertificatePem = null, string? ClientCertificatePem = null, string? ClientKeyPem = null);

    /// <summary>Splits a libvirt connection's endpoint into its host URIs (without the per-host pins; see <see cref="LibvirtEndpoint"/>).</summary>
    public static IReadOnlyList<string> EndpointUris(string endpoint) => LibvirtEndpoint.Parse(endpoint).Select(h => h.Uri).ToList();

    /// <summary>The endpoint's entries as written, pins included.</summary>
    internal static IReadOnlyList<string> EndpointTokens(string endpoint) =>
        endpoint.Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async Task<ConnectionView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "connection.save", ct, Roles.Administrator);
        Connection? connection = null;
        if (command.Id is { } id)
            connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Connection", id);

        var check = new Validation();
        check.Text(command.Name, nameof(command.Name), TextLimits.Name, "Name the connection.")
            .Text(command.Endpoint, nameof(command.Endpoint), TextLimits.Endpoint)
            .Text(command.Username, nameof(command.Username), TextLimits.Name)
            .Text(command.Secret, nameof(command.Secret), TextLimits.Secret)
            .Text(command.CaCertificatePem, nameof(command.CaCertificatePem), TextLimits.Pem)
            .Text(command.ClientCertificatePem, nameof(command.ClientCertificatePem), TextLimits.Pem)
            .Text(command.ClientKeyPem, nameof(command.ClientKeyPem), TextLimits.Secret);
        check.Require(command.Kind is ConnectionKinds.VSphere or ConnectionKinds.Libvirt, nameof(command.Kind), "Choose vsphere or libvirt; the demo connection is created by the portal itself.");
        check.Require(connection is null || connection.Kind == command.Kind, nameof(command.Kind), "A connection's kind cannot change; add a new connection instead.");
        if (command.Kind == ConnectionKinds.Libvirt)
        {
            var uris = EndpointUris(command.Endpoint);
            check.Require(uris.Count > 0 && uris.All(u => Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme.StartsWith("qemu", StringComparison.Ordinal)),
                nameof(command.Endpoint), "Give one libvirt URI per host, such as qemu+tls://kvm1.example/system qemu+tls://kvm2.example/system.");
            // Each qemu+tls host has its own certificate, so each may carry its own pin (…/system#sha256=<thumbprint>).
            var pinProblem = LibvirtEndpoint.PinProblem(command.Endpoint, command.PinnedThumbprint);
            check.Require(pinProblem is null, nameof(command.Endpoint), pinProblem ?? "");
            check.Require(command.PinnedThumbprint is null || uris.Any(u => new LibvirtEndpoint.Host(u, null).IsTls), nameof(command.PinnedThumbprint),
                "Only a qemu+tls host has a certificate to pin, and this connection has none.");
            check.Require(string.IsNullOrWhiteSpace(command.CaCertificatePem) || PemCertificates.Parse(command.CaCertificatePem), nameof(command.CaCertificatePem),
                "Paste the CA certificate in PEM form (-----BEGIN CERTIFICATE----- ...); this text is not a certificate that can be read.");
            check.Require(string.IsNullOrWhiteSpace(command.ClientCertificatePem) || PemCertificates.Parse(command.ClientCertificatePem), nameof(command.ClientCertificatePem),
                "Paste the client certificate in PEM form (-----BEGIN CERTIFICATE----- ...); this text is not a certificate that can be read.");
            check.Require(command.ClientKeyPem is null || command.ClientKeyPem.Contains("PRIVATE KEY", StringComparison.Ordinal), nameof(command.ClientKeyPem), "Paste the client private key in PEM form.");
        }
        else
        {
            check.Require(Uri.TryCreate(command.Endpoint, UriKind.Absolute, out var endpoint), nameof(command.Endpoint), "Give the endpoint as a URL, such as https://vcenter.example/sdk.");
            if (endpoint is not null && command.Kind == ConnectionKinds.VSphere)
                check.Require(endpoint.Scheme == Uri.UriSchemeHttps, nameof(command.Endpoint), "vCenter is reached over https only.");
        }
        check.Require(command.PinnedThumbprint is null || Thumbprint().IsMatch(command.PinnedThumbprint), nameof(command.PinnedThumbprint), "A SHA-256 thumbprint is 32 hexadecimal bytes, with or without colons.");
        var name = command.Name?.Trim() ?? "";
        if (TextRules.Fits(name, TextLimits.Name))
            check.Require(!await db.Connections.AnyAsync(c => c.Name == name && c.Id != command.Id, ct), nameof(command.Name), "Another connection already has this name.");
        check.ThrowIfInvalid();

        var created = connection is null;
        connection ??= new Connection(name, command.Kind, command.Endpoint, command.Username);
        if (created) db.Connections.Add(connection);
        var policyChanged = connection.AllowUnencryptedMigration != command.AllowUnencryptedMigration;
        connection.Name = name;
        connection.Endpoint = command.Endpoint.Trim();
        connection.Username = string.IsNullOrWhiteSpace(command.Username) ? null : command.Username.Trim();
        connection.PinnedThumbprint = command.PinnedThumbprint?.Replace(":", "").ToUpperInvariant();
        connection.AllowUnencryptedMigration = command.AllowUnencryptedMigration;
        if (command.Secret is not null) connection.ProtectedSecret = secrets.Protect(command.Secret);
        var caChanged = command.CaCertificatePem is not null && command.CaCertificatePem != connection.CaCertificatePem;
        if (command.CaCertificatePem is not null) connection.CaCertificatePem = string.IsNullOrWhiteSpace(command.CaCertificatePem) ? null : command.CaCertificatePem.Trim();
        if (command.ClientCertificatePem is not null) connection.ClientCertificatePem = string.IsNullOrWhiteSpace(command.ClientCertificatePem) ? null : command.ClientCertificatePem.Trim();
        if (command.ClientKeyPem is not null) connection.ProtectedClientKey = string.IsNullOrWhiteSpace(command.ClientKeyPem) ? null : secrets.Protect(command.ClientKeyPem.Trim());

        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Connection", connection.Id.ToString(), new
        {
            change = created ? "added" : "edited",
            connection.Name, connection.Kind, connection.Endpoint, connection.Username, connection.PinnedThumbprint,
            secretChanged = command.Secret is not null,
            caCertificateChanged = caChanged,
            clientKeyChanged = command.ClientKeyPem is not null,
            unencryptedMigrationAllowed = connection.AllowUnencryptedMigration,
            encryptionPolicyChanged = policyChanged,
        });
        if (created)
            AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.InventorySyncRequested, "Connection", connection.Id.ToString(),
                new { connection = connection.Name, reason = "first sync of a new connection" });
        await db.SaveChangesAsync(ct);
        // A new connection is synced at once, not at the next cron tick (up to 15 minutes of an empty inventory); its
        // recurring job is created by the next tick of the sync-inventory job. Queued only once the connection is saved.
        if (created) jobs.EnqueueSync(connection.Id);
        return ConnectionView.From(connection);
    }

    [GeneratedRegex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")]
    private static partial Regex Thumbprint();
}
