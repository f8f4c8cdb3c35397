using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Batches;

/// <summary>The batch page's use case: the batch's requests with their states, for whoever may see them.</summary>
public abstract class GetBatchTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task<BatchView> SubmitTwoAsync()
    {
        var moves = await Portal.Db(async db =>
        {
            var vms = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).Take(2).ToListAsync();
            var result = new List<SubmitBatch.Item>();
            foreach (var vm in vms)
                result.Add(new SubmitBatch.Item(vm.Id, MigrationKind.Compute, false,
                    await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync(), null));
            return result;
        });
        return await Portal.Scoped<SubmitBatch, BatchView>(u => u.HandleAsync(Requester, new SubmitBatch.Command("payments rack move", "Rack decommission", moves)));
    }

    [Fact]
    public async Task HandleAsync_ListsEveryRequestWithItsState_ForTheRequester()
    {
        var submitted = await SubmitTwoAsync();
        var batch = await Portal.Scoped<GetBatch, BatchDetails>(u => u.HandleAsync(Requester, submitted.Id));

        Assert.Equal(("payments rack move", "Rack decommission"), (batch.Name, batch.Justification));
        Assert.Equal(submitted.Requests.Select(r => r.Id).Order(), batch.Requests.Select(r => r.Id).Order());
        Assert.All(batch.Requests, r => Assert.Equal(RequestState.PendingApproval, r.State));
        Assert.Equal(batch.Requests.Select(r => r.VmName).Order(StringComparer.OrdinalIgnoreCase), batch.Requests.Select(r => r.VmName));
    }

    [Fact]
    public async Task HandleAsync_Forbidden_WhenTheCallerMaySeeNoneOfItsRequests()
    {
        var submitted = await SubmitTwoAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<GetBatch, BatchDetails>(u => u.HandleAsync(OtherRequester, submitted.Id)));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.EntityType == "MigrationBatch" && e.EntityId == submitted.Id.ToString())));
    }

    [Fact]
    public async Task HandleAsync_NotFound_WhenTheBatchIsUnknown() =>
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<GetBatch, BatchDetails>(u => u.HandleAsync(Requester, Guid.NewGuid())));
}

public sealed class SqliteGetBatchTests() : GetBatchTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlGetBatchTests() : GetBatchTests(DatabaseProvider.PostgreSql);
