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
public sealed partial class SaveConnection(IPortalDb db, AccessGuard guard, ISecretProtector secrets, TimeProvider time)
{
    public sealed record Command(Guid? Id, string Name, string Kind, string Endpoint, string? Username, string? Secret, string? PinnedThumbprint, bool AllowUnencryptedMigration);

    public async Task<ConnectionView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "connection.save", ct, Roles.Administrator);
        Connection? connection = null;
        if (command.Id is { } id)
            connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw new NotFoundException("Connection", id);

        var check = new Validation();
        check.Require(!string.IsNullOrWhiteSpace(command.Name), nameof(command.Name), "Name the connection.");
        check.Require(command.Kind is ConnectionKinds.VSphere or ConnectionKinds.Libvirt, nameof(command.Kind), "Choose vsphere or libvirt; the demo connection is created by the portal itself.");
        check.Require(connection is null || connection.Kind == command.Kind, nameof(command.Kind), "A connection's kind cannot change; add a new connection instead.");
        check.Require(Uri.TryCreate(command.Endpoint, UriKind.Absolute, out var endpoint), nameof(command.Endpoint), "Give the endpoint as a URL, such as https://vcenter.example/sdk or qemu+tls://host/system.");
        if (endpoint is not null && command.Kind == ConnectionKinds.VSphere)
            check.Require(endpoint.Scheme == Uri.UriSchemeHttps, nameof(command.Endpoint), "vCenter is reached over https only.");
        check.Require(command.PinnedThumbprint is null || Thumbprint().IsMatch(command.PinnedThumbprint), nameof(command.PinnedThumbprint), "A SHA-256 thumbprint is 32 hexadecimal bytes, with or without colons.");
        var name = command.Name?.Trim() ?? "";
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

        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Connection", connection.Id.ToString(), new
        {
            change = created ? "added" : "edited",
            connection.Name, connection.Kind, connection.Endpoint, connection.Username, connection.PinnedThumbprint,
            secretChanged = command.Secret is not null,
            unencryptedMigrationAllowed = connection.AllowUnencryptedMigration,
            encryptionPolicyChanged = policyChanged,
        });
        await db.SaveChangesAsync(ct);
        return new ConnectionView(connection.Id, connection.Name, connection.Kind, connection.Endpoint, connection.Username, connection.ProtectedSecret is not null,
            connection.PinnedThumbprint, connection.AllowUnencryptedMigration, connection.IsDemo, connection.LastSyncedAt, connection.LastSyncError);
    }

    [GeneratedRegex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")]
    private static partial Regex Thumbprint();
}
