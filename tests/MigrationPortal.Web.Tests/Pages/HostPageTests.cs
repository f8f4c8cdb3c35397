using System.Text.RegularExpressions;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Components.Pages;
using MigrationPortal.Web.Components.Shared;
using MigrationPortal.Web.Tests.Components;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>The host page (issue 13 §5): memory in GiB everywhere, and MudBlazor controls with a visible label, not native selects.</summary>
public sealed class HostPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Olga = User("u-olga", "Olga", "Operator");

    [Theory]
    [InlineData(65536, "64")]
    [InlineData(14336, "14")]
    [InlineData(12000, "11.72")]
    [InlineData(1536, "1.5")]
    [InlineData(288, "0.28")]
    [InlineData(1, "< 0.01")]
    [InlineData(0, "0")]
    [InlineData(-2048, "-2")]
    public void Gib_ShowsMiBAsGiB_WithoutRoundingASmallAmountToZero(long mib, string expected) =>
        Assert.Equal(expected, EvacuationPlanner.Gib(mib));

    private static EvacuationChoice Same(string id) => new(id, id, "C1", true, MigrationKind.Compute, null, null);

    private static EvacuationProposal Proposal()
    {
        IReadOnlyList<EvacuationChoice> choices = [Same("t1"), Same("t2")];
        return new EvacuationProposal(new HostSummary(Guid.NewGuid(), "h1", "C1", Guid.NewGuid(), "Demo", true, "connected", PowerState.On, false, 65536, 14336, 2),
            [
                new(Guid.NewGuid(), "vm-a", PowerState.On, 8192, 40, "ds-c1", true, Same("t1"), choices, null),
                new(Guid.NewGuid(), "vm-b", PowerState.On, 1536, 40, "ds-c1", true, Same("t2"), choices, null),
            ],
            [new("t1", "t1", "C1", 65536, 65536 - 12000, 8192), new("t2", "t2", "C1", 65536, 65536 - 8192, 1536)],
            []);
    }

    [Fact]
    public void EvacuationPlanner_KeepsVmAndHostNamesOnOneLine_WhenTheyHaveHyphens()
    {
        var cut = Render<EvacuationPlanner>(p => p.Add(c => c.Proposal, Proposal()).Add(c => c.OnSubmit, _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null)));

        Assert.All(cut.FindAll("[data-testid=move-vm-cell]"), cell => Assert.Contains("name-cell", cell.ClassList));
        Assert.Contains("name-cell", cut.Find("[data-testid=target-row-t1] td").ClassList);
        // The class does what it says: no wrapping at hyphens (white-space) nor inside a word (word-break, overflow-wrap).
        var css = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "MigrationPortal.Web", "wwwroot", "css", "portal.css"));
        var rule = Regex.Match(css, @"\.name-cell\s*\{([^}]*)\}").Groups[1].Value;
        Assert.Contains("white-space: nowrap", rule);
        Assert.Contains("word-break: keep-all", rule);
        Assert.Contains("overflow-wrap: normal", rule);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MigrationPortal.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    [Fact]
    public void EvacuationPlanner_ShowsEveryMemoryFigureInGiB_WhenAPlanIsProposed()
    {
        var cut = Render<EvacuationPlanner>(p => p.Add(c => c.Proposal, Proposal()).Add(c => c.OnSubmit, _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null)));

        var rows = cut.FindAll("[data-testid=move-row]");
        Assert.Contains("8 GiB", rows[0].TextContent);
        Assert.Contains("1.5 GiB", rows[1].TextContent);
        Assert.Equal("11.72 GiB", cut.Find("[data-testid=target-row-t1] [data-testid=target-free]").TextContent.Trim());
        Assert.Equal("8 GiB", cut.Find("[data-testid=target-row-t1] [data-testid=target-adds]").TextContent.Trim());
        Assert.Equal("1.5 GiB", cut.Find("[data-testid=target-row-t2] [data-testid=target-adds]").TextContent.Trim());
        Assert.DoesNotMatch(new Regex(@"\d\s*MB\b"), cut.Find("[data-testid=evacuation-planner]").TextContent);
    }

    [Fact]
    public void EvacuationPlanner_HasNoNativeSelect_AndEveryTargetHasAVisibleLabel()
    {
        var cut = Render<EvacuationPlanner>(p => p.Add(c => c.Proposal, Proposal()).Add(c => c.OnSubmit, _ => Task.FromResult<IReadOnlyDictionary<string, string[]>?>(null)));

        Assert.Empty(cut.FindAll("select"));
        foreach (var vm in new[] { "vm-a", "vm-b" })
        {
            var select = cut.FindComponents<MudBlazor.MudSelect<string>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-testid"), $"target-{vm}"));
            Assert.Equal($"Target for {vm}", select.Find("label").TextContent.Trim());
        }

        Assert.Equal("t1", cut.Find("[data-testid=target-vm-a]").GetAttribute("data-value"));
    }

    [Fact]
    public async Task HostDetail_ShowsTheHostsMemoryInGiB()
    {
        InventoryHost host;
        await using (var scope = Factory.Services.CreateAsyncScope())
            host = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Hosts.AsNoTracking().OrderBy(h => h.Name).FirstAsync();

        var cut = RenderAs<HostDetail>(Olga, p => p.Add(c => c.Id, host.Id));

        cut.WaitForAssertion(() => Assert.Equal(
            $"Memory {EvacuationPlanner.Gib(host.MemoryUsedMb)} of {EvacuationPlanner.Gib(host.MemoryMb)} GiB in use (as of the last inventory sync)",
            cut.Find("[data-testid=host-memory]").TextContent.Trim()), TimeSpan.FromSeconds(30));
        Assert.Empty(cut.FindAll("select"));
    }
}
