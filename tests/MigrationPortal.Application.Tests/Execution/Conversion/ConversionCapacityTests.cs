using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>A conversion's capacity slots: each side counted on its own connection, against its own kind's limits.</summary>
public abstract class ConversionCapacityTests(DatabaseProvider provider) : ConversionRunTestBase(provider)
{
    [Fact]
    public async Task DispatchDueRequests_ClaimsTheTargetHostAndPoolOnTheDestinationConnection_WhenTheMoveIsAConversion()
    {
        var id = await SubmitConversionAsync(schedule: false);

        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());

        Assert.Equal(RequestState.Scheduled, (await LoadAsync(id)).State);
        var slots = await Portal.Db(db => db.CapacitySlots.AsNoTracking().Where(s => s.RequestId == id).Select(s => s.Resource).ToListAsync());
        var source = SourceConnectionId.ToString();
        var destination = DestinationConnectionId.ToString();
        Assert.Contains($"connection:{destination}", slots);
        Assert.Contains($"host-in:{destination}:{TargetHost}", slots);
        Assert.Contains($"datastore:{destination}:{ConversionWorld.Pool}", slots);
        Assert.Contains($"host:{source}:host-10", slots);
        Assert.Contains($"datastore:{source}:{ConversionWorld.Datastore}", slots);
        // The libvirt host is not a vSphere host: nothing of the target is counted on the source connection.
        Assert.DoesNotContain(slots, s => s.StartsWith($"host:{source}:{TargetHost}", StringComparison.Ordinal) || s.Contains(TargetHost) && s.Contains(source));
    }
}

public sealed class SqliteConversionCapacityTests() : ConversionCapacityTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionCapacityTests() : ConversionCapacityTests(DatabaseProvider.PostgreSql);
