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
public sealed partial class SaveConnection(IPortalDb db, AccessGuard guard, ISecretProtector secrets, IMigrationJobs jobs, IConnectorKinds kinds, TimeProvider time)
{
    /// <param name="Endpoint">In the form the kind's descriptor asks for (a vCenter SDK URL, one libvirt URI per host ...).</param>
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
        // What the endpoint looks like, and which inputs a kind needs, is the kind's own knowledge: its descriptor says.
        var descriptor = kinds.Find(command.Kind);
        var creatable = kinds.All.Where(d => d.AdministratorsAddConnections).Select(d => d.Kind).ToList();
        check.Require(descriptor is not null, nameof(command.Kind), $"Choose one of the installed kinds: {string.Join(", ", creatable)}.");
        check.Require(connection is null || connection.Kind == command.Kind, nameof(command.Kind), "A connection's kind cannot change; add a new connection instead.");
        // With no kind to ask, the one rule every kind shares still holds: an endpoint is an absolute URI (or several).
        if (descriptor is null)
            check.Require(EndpointTokens(command.Endpoint).Count > 0 && EndpointTokens(command.Endpoint).All(t => Uri.TryCreate(t, UriKind.Absolute, out _)), nameof(command.Endpoint),
                "Give the endpoint as an absolute URI, such as https://vcenter.example/sdk; its form depends on the kind.");
        if (descriptor is not null && !descriptor.AdministratorsAddConnections)
            check.Add(nameof(command.Kind), $"{descriptor.DisplayName} connections are created by the portal itself; choose one of: {string.Join(", ", creatable)}.");
        else if (descriptor is not null)
        {
            var input = new ConnectionFormInput(command.Endpoint, command.Username, command.Secret, command.PinnedThumbprint, command.CaCertificatePem,
                command.ClientCertificatePem, command.ClientKeyPem, connection is null);
            // A required write-only field (a password) may stay empty on edit: empty keeps the stored value.
            // The endpoint's own message (with an example) says more than "required", so the descriptor checks it whatever it holds.
            foreach (var field in descriptor.Fields.Where(f => f.Required && f.Input != ConnectionInput.Endpoint && string.IsNullOrWhiteSpace(input[f.Input]) && !(f.WriteOnly && connection is not null)))
                check.Add(field.Name, $"Enter the {field.Label.ToLowerInvariant()}.");
            descriptor.ValidateConnection(input, check);
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
