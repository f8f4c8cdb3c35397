using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Mappings;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// An Administrator deletes a network or storage map. Requests that used it keep their copy of its entries (taken at
/// submission), so a deletion changes no request; the audit keeps what the map held.
/// </summary>
public sealed class DeleteConversionMap(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(ConversionMapKind Kind, Guid Id);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "conversion-map.delete", ct, Roles.Administrator);
        var check = new Validation().Defined<ConversionMapKind>(command.Kind, "Kind");
        check.ThrowIfInvalid();
        (string Type, string Name, Guid Source, Guid Destination, object Entries) gone;
        if (command.Kind == ConversionMapKind.Network)
        {
            var map = await db.NetworkMaps.FirstOrDefaultAsync(m => m.Id == command.Id, ct) ?? throw new NotFoundException("Network map", command.Id);
            db.NetworkMaps.Remove(map);
            gone = (nameof(NetworkMap), map.Name, map.SourceConnectionId, map.DestinationConnectionId, map.Entries);
        }
        else
        {
            var map = await db.StorageMaps.FirstOrDefaultAsync(m => m.Id == command.Id, ct) ?? throw new NotFoundException("Storage map", command.Id);
            db.StorageMaps.Remove(map);
            gone = (nameof(StorageMap), map.Name, map.SourceConnectionId, map.DestinationConnectionId, map.Entries);
        }

        var names = await db.Connections.AsNoTracking().Where(c => c.Id == gone.Source || c.Id == gone.Destination).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.MapDeleted, gone.Type, command.Id.ToString(), new
        {
            change = "deleted", name = gone.Name, source = names.GetValueOrDefault(gone.Source), destination = names.GetValueOrDefault(gone.Destination), entries = gone.Entries,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted (or edited) by someone else between the read and the delete: there is nothing left of what was shown.
            throw new ConflictException($"The map '{gone.Name}' was changed or deleted by someone else; reload the list.");
        }
    }
}
