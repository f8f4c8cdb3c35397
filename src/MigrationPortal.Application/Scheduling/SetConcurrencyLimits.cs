using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// An Administrator sets the concurrency limits. A lower limit applies to new starts; migrations already running keep
/// their slots and finish.
/// </summary>
public sealed class SetConcurrencyLimits(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(
        int VSphereMigrationsPerHost, int VSphereStorageMigrationsPerHost, int KvmOutgoingPerHost, int KvmIncomingPerHost,
        int DatastoreBudget, int ComputeMigrationDatastoreCost, int StorageMigrationDatastoreCost, int PerConnection, int Global);

    public async Task<ConcurrencyLimitsView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "limits.edit", ct, Roles.Administrator);
        var check = new Validation();
        void AtLeastOne(int value, string field) => check.Require(value >= 1 && value <= 10_000, field, "Enter a whole number from 1 to 10,000.");
        AtLeastOne(command.VSphereMigrationsPerHost, nameof(command.VSphereMigrationsPerHost));
        AtLeastOne(command.VSphereStorageMigrationsPerHost, nameof(command.VSphereStorageMigrationsPerHost));
        AtLeastOne(command.KvmOutgoingPerHost, nameof(command.KvmOutgoingPerHost));
        AtLeastOne(command.KvmIncomingPerHost, nameof(command.KvmIncomingPerHost));
        AtLeastOne(command.DatastoreBudget, nameof(command.DatastoreBudget));
        AtLeastOne(command.ComputeMigrationDatastoreCost, nameof(command.ComputeMigrationDatastoreCost));
        AtLeastOne(command.StorageMigrationDatastoreCost, nameof(command.StorageMigrationDatastoreCost));
        AtLeastOne(command.PerConnection, nameof(command.PerConnection));
        AtLeastOne(command.Global, nameof(command.Global));
        check.Require(command.StorageMigrationDatastoreCost <= command.DatastoreBudget, nameof(command.StorageMigrationDatastoreCost), "A Storage vMotion's cost cannot exceed the datastore budget, or none could ever start.");
        check.Require(command.ComputeMigrationDatastoreCost <= command.DatastoreBudget, nameof(command.ComputeMigrationDatastoreCost), "A vMotion's cost cannot exceed the datastore budget, or none could ever start.");
        check.ThrowIfInvalid();

        var limits = await db.ConcurrencyLimits.FirstOrDefaultAsync(ct);
        if (limits is null) db.ConcurrencyLimits.Add(limits = ConcurrencyLimits.Defaults());
        var now = time.GetUtcNow();
        limits.Set(command.VSphereMigrationsPerHost, command.VSphereStorageMigrationsPerHost, command.KvmOutgoingPerHost, command.KvmIncomingPerHost,
            command.DatastoreBudget, command.ComputeMigrationDatastoreCost, command.StorageMigrationDatastoreCost, command.PerConnection, command.Global, user.AsActor(), now);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(ConcurrencyLimits), null, command);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Another administrator saved the limits at the same moment; reload and try again.");
        }

        return ConcurrencyLimitsView.Of(limits, []);
    }
}
