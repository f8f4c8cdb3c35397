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
    /// Saves, turning a lost race into a clear 409 instead of a fault: either the concurrency token moved, or a unique
    /// index refused a row the winner wrote first (the same approver deciding on two nodes: the decision row can be
    /// inserted before the token is checked).
    /// </summary>
    public static async Task SaveOrConflictAsync(this IPortalDb db, string message, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException or UniqueConstraintException)
        {
            throw new ConflictException(message);
        }
    }
}
