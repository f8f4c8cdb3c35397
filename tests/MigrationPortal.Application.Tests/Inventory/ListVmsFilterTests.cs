using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Inventory;

/// <summary>The inventory's text filters: parts of names, any case, translated to SQL on each provider (issue 13 §4).</summary>
public abstract class ListVmsFilterTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<PagedResult<VmView>> ListAsync(ListVms.Query query) =>
        Portal.Scoped<ListVms, PagedResult<VmView>>(u => u.HandleAsync(Operator, query));

    private Task<List<InventoryVm>> AllVmsAsync() => Portal.Db(db => db.Vms.AsNoTracking().ToListAsync());

    [Fact]
    public async Task ListVms_FindsHostByPartOfItsName_WhenCaseDiffers()
    {
        var vms = await AllVmsAsync();
        var host = vms.Where(v => v.HostName is not null).Select(v => v.HostName!).OrderBy(h => h, StringComparer.Ordinal).First();
        // The host's name without its first character, upper-cased: a part of the name, in another case.
        var part = host[1..].ToUpperInvariant();
        Assert.NotEqual(host, part);

        var found = await ListAsync(new ListVms.Query(Host: part, Take: 500));

        var expected = vms.Where(v => v.HostName?.Contains(part, StringComparison.OrdinalIgnoreCase) == true).Select(v => v.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, found.Items.Select(v => v.Id).Order().ToList());
        Assert.Equal(expected.Count, found.Total);
    }

    [Fact]
    public async Task ListVms_FindsClusterByPartOfItsName_WhenCaseDiffers()
    {
        var vms = await AllVmsAsync();
        var cluster = vms.Where(v => v.ClusterName is not null).Select(v => v.ClusterName!).OrderBy(c => c, StringComparer.Ordinal).Last();
        var part = cluster[^3..].ToLowerInvariant();

        var found = await ListAsync(new ListVms.Query(Cluster: part, Take: 500));

        var expected = vms.Where(v => v.ClusterName?.Contains(part, StringComparison.OrdinalIgnoreCase) == true).Select(v => v.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < vms.Count, "the filter must leave some VMs out for the test to mean anything");
        Assert.Equal(expected, found.Items.Select(v => v.Id).Order().ToList());
    }

    [Fact]
    public async Task ListVms_FindsNameIgnoringCase_WhenTypedInUpperCase()
    {
        var vms = await AllVmsAsync();
        var name = vms.Select(v => v.Name).OrderBy(n => n, StringComparer.Ordinal).First();
        var part = name[2..^1].ToUpperInvariant();
        Assert.NotEqual(name[2..^1], part);

        var found = await ListAsync(new ListVms.Query(Search: part, Take: 500));

        var expected = vms.Where(v => v.Name.Contains(part, StringComparison.OrdinalIgnoreCase)).Select(v => v.Id).Order().ToList();
        Assert.Contains(vms.First(v => v.Name == name).Id, found.Items.Select(v => v.Id));
        Assert.Equal(expected, found.Items.Select(v => v.Id).Order().ToList());
    }

    [Fact]
    public async Task ListVms_TreatsPercentAndUnderscoreAsLetters_WhenTheyAreTyped()
    {
        var ids = await Portal.Db(db => db.Vms.OrderBy(v => v.Name).Select(v => v.Id).Take(2).ToListAsync());
        await Portal.Db(db => db.Vms.Where(v => v.Id == ids[0]).ExecuteUpdateAsync(s => s.SetProperty(v => v.Name, "Sale_50%off")));
        await Portal.Db(db => db.Vms.Where(v => v.Id == ids[1]).ExecuteUpdateAsync(s => s.SetProperty(v => v.Name, "SaleX50Yoff")));

        var found = await ListAsync(new ListVms.Query(Search: "e_50%O", Take: 500));

        Assert.Equal([ids[0]], found.Items.Select(v => v.Id));
    }

    [Fact]
    public async Task ListVms_SortsByNameDescending_WhenAsked()
    {
        var found = await ListAsync(new ListVms.Query(SortBy: "name", Descending: true, Take: 500));
        var names = found.Items.Select(v => v.Name).ToList();
        Assert.True(names.Count > 1);
        Assert.NotEqual(names.OrderBy(n => n, StringComparer.Ordinal).ToList(), names);
        Assert.Equal(names.OrderByDescending(n => n, StringComparer.OrdinalIgnoreCase).ToList(), names, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ListVms_ReturnsOnlyTheAskedVms_WhenIdsAreGiven()
    {
        var ids = await Portal.Db(db => db.Vms.OrderBy(v => v.Name).Select(v => v.Id).Skip(5).Take(3).ToListAsync());
        var found = await ListAsync(new ListVms.Query(Ids: ids, Take: 500));
        Assert.Equal(ids.Order(), found.Items.Select(v => v.Id).Order());
    }

    [Fact]
    public async Task ListVms_ShowsARequesterOnlyOwnedVms_WhenFilteringByHost()
    {
        var vms = await AllVmsAsync();
        var host = vms.Where(v => v.HostName is not null).Select(v => v.HostName!).OrderBy(h => h, StringComparer.Ordinal).First();
        var found = await Portal.Scoped<ListVms, PagedResult<VmView>>(u => u.HandleAsync(Requester, new ListVms.Query(Host: host.ToUpperInvariant(), Take: 500)));
        Assert.All(found.Items, v => Assert.Equal(RequesterApp, v.ApplicationName));
    }
}

public sealed class SqliteListVmsFilterTests() : ListVmsFilterTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlListVmsFilterTests() : ListVmsFilterTests(DatabaseProvider.PostgreSql);
