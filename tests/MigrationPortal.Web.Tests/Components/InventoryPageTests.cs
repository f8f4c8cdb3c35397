using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Components.Pages;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The inventory as a vCenter user uses it (issue 13 §4): filters as you type, an empty state that says why, and a selection to request.</summary>
public sealed class InventoryPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private async Task<List<Domain.Inventory.InventoryVm>> VmsAsync()
    {
        await Eventually.TrueAsync(async () => (await ReadAsync(db => db.Vms.CountAsync())) > 0, TimeSpan.FromSeconds(30), "the demo inventory is synced");
        return await ReadAsync(db => db.Vms.AsNoTracking().ToListAsync());
    }

    private async Task<T> ReadAsync<T>(Func<PortalDbContext, Task<T>> read)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    private static List<string> Column(IRenderedComponent<Inventory> cut, int index) =>
        cut.FindAll("[data-testid=inventory-grid] tbody tr").Select(r => r.QuerySelectorAll("td")).Where(c => c.Length > index).Select(c => c[index].TextContent.Trim()).ToList();

    [Fact]
    public async Task Inventory_FiltersByPartOfTheHostName_WhileTyping()
    {
        var vms = await VmsAsync();
        var host = vms.Select(v => v.HostName!).Order(StringComparer.Ordinal).First();
        var cut = RenderAs<Inventory>(User("u-ola", "Ola", "Operator"));
        const int hostColumn = 2; // name, application, host (an operator has no select box)
        cut.WaitForAssertion(() => Assert.NotEmpty(Column(cut, hostColumn)));

        // Typed in another case, without the first letters, and never leaving the field: the list follows the keystrokes.
        await cut.Find("input[data-testid=filter-host]").InputAsync(new ChangeEventArgs { Value = host[2..].ToUpperInvariant() });

        cut.WaitForAssertion(() =>
        {
            var hosts = Column(cut, hostColumn);
            Assert.NotEmpty(hosts);
            Assert.All(hosts, h => Assert.Equal(host, h));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Inventory_ExplainsOwnership_WhenTheRequesterOwnsNoApplication()
    {
        await VmsAsync();
        var cut = RenderAs<Inventory>(User("u-newbie", "Nina Newbie", "Requester"));

        cut.WaitForAssertion(() => Assert.Contains("You own no application yet", cut.Find("[data-testid=inventory-empty]").TextContent));
    }

    [Fact]
    public async Task Inventory_SaysNoVmMatches_WhenAFilterFindsNothing()
    {
        await VmsAsync();
        var cut = RenderAs<Inventory>(User("u-ola", "Ola", "Operator"));
        await cut.Find("input[data-testid=filter-name]").InputAsync(new ChangeEventArgs { Value = "no-such-vm-anywhere" });

        cut.WaitForAssertion(() => Assert.Contains("No VM matches these filters", cut.Find("[data-testid=inventory-grid]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Inventory_OpensTheWizardWithTheTickedVms_WhenRequestMigrationIsClicked()
    {
        await VmsAsync();
        var cut = RenderAs<Inventory>(User("u-adam", "Adam", "Administrator"));
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("[data-testid=inventory-grid] tbody tr input[type=checkbox]").Count >= 2));
        Assert.True(cut.Find("button[data-testid=request-selected]").HasAttribute("disabled"));

        var names = Column(cut, 1).Take(2).Select(n => n.Replace("(Demo)", "").Trim()).ToList();
        foreach (var i in new[] { 0, 1 })
            await cut.FindAll("[data-testid=inventory-grid] tbody tr input[type=checkbox]")[i].ChangeAsync(new ChangeEventArgs { Value = true });
        cut.WaitForAssertion(() => Assert.Contains("(2)", cut.Find("button[data-testid=request-selected]").TextContent));
        await cut.Find("button[data-testid=request-selected]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        var ids = await ReadAsync(db => db.Vms.Where(v => names.Contains(v.Name)).Select(v => v.Id).ToListAsync());
        var uri = new Uri(Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("/requests/new", uri.AbsolutePath);
        Assert.Equal(ids.Select(id => $"vm={id}").Order(), uri.Query.TrimStart('?').Split('&').Order());
    }

    [Fact]
    public async Task Inventory_KeepsNamesWhole_InTheNameHostAndClusterColumns()
    {
        await VmsAsync();
        var cut = RenderAs<Inventory>(User("u-ola", "Ola", "Operator"));
        cut.WaitForAssertion(() => Assert.NotEmpty(Column(cut, 0)));
        var row = cut.Find("[data-testid=inventory-grid] tbody tr");
        var cells = row.QuerySelectorAll("td");
        foreach (var index in new[] { 0, 2, 3 })
            Assert.True(KeptWhole(cells[index]), $"column {index} may break names: {cells[index].OuterHtml}");
        // The datastores column wraps between datastores, never inside a name such as demo-ds-b1.
        var stores = cells[4].QuerySelectorAll("span.name-cell");
        Assert.NotEmpty(stores);
        Assert.All(stores, s => Assert.DoesNotContain(",", s.TextContent));
    }

    // Either the cell's own nowrap style or the portal's name-cell class (portal.css: white-space: nowrap).
    private static bool KeptWhole(AngleSharp.Dom.IElement cell) =>
        (cell.GetAttribute("style")?.Replace(" ", "") ?? "").Contains("white-space:nowrap") || cell.ClassList.Contains("name-cell");
}
