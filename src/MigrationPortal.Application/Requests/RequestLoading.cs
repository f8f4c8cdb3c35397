using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

public static class RequestLoading
{
    /// <summary>Loads the whole aggregate (transitions, decisions, steps) or throws 404.</summary>
    public static async Task<MigrationRequest> LoadRequestAsync(this IPortalDb db, Guid id, CancellationToken ct) =>
        await db.Requests
            .Include(r => r.Transitions)
            .Include(r => r.Decisions)
            .Include(r => r.Steps)
            .AsSplitQuery()
            .FirstOrDefaultAsync(r => r.Id == id, ct)
        ?? throw new NotFoundException("Migration request", id);

    /// <summary>
    /// Saves, turning a lost race into a clear 409 instead of a fault: an optimistic-concurrency conflict, or a unique
    /// index refusing a row the winner wrote first (the same approver deciding on two nodes: the decision row can be
    /// inserted before the token is checked), into <paramref name="message"/>; and a second active request for a VM
    /// (refused by the database's unique index on active requests, whichever node checked first) into a message that
    /// names the request already active.
    /// </summary>
    public static async Task SaveOrConflictAsync(this IPortalDb db, string message, CancellationToken ct)
    {
        var claims = db.Requests.Local.Where(r => RequestTransitions.IsActive(r.State)).Select(r => (r.Id, r.VmId, r.VmName)).ToList();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException(message);
        }
        catch (DbUpdateException e) when (claims.Count > 0 || e is UniqueConstraintException)
        {
            // Which unique index refused is not portable across providers: ask whether one of the VMs now has another
            // active request. If so, name it; any other unique violation is the plain lost race.
            if (claims.Count > 0)
            {
                var ids = claims.Select(c => c.Id).ToList();
                var vms = claims.Select(c => c.VmId).Distinct().ToList();
                var existing = await db.Requests.AsNoTracking().Where(r => vms.Contains(r.VmId) && !ids.Contains(r.Id) && ActiveStates.Contains(r.State))
                    .Select(r => new { r.Id, r.VmId, r.State }).FirstOrDefaultAsync(CancellationToken.None);
                if (existing is not null)
                    throw new ConflictException(ActiveRequestMessage(claims.First(c => c.VmId == existing.VmId).VmName, existing.Id, existing.State));
            }

            if (e is UniqueConstraintException) throw new ConflictException(message);
            throw;
        }
    }

    /// <summary>The states in which a request claims its VM (<see cref="RequestTransitions.IsActive"/>).</summary>
    public static readonly RequestState[] ActiveStates = RequestTransitions.Active.ToArray();

    public static string ActiveRequestMessage(string vmName, Guid existingId, RequestState state) =>
        $"VM '{vmName}' already has an active migration request: {existingId} ({state}). Wait for it to finish or cancel it first.";
}
