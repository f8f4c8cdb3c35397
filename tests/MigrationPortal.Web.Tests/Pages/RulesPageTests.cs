using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Rules;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Tests.Components;
using MudBlazor;
using RulesPage = MigrationPortal.Web.Components.Pages.Rules;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>The placement rules page (issue 15 §2): errors beside their fields in one round, a VM picker searched by name within the connection, delete confirmed, read-only for readers.</summary>
public sealed class RulesPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Olga = User("u-olga", "Olga", "Operator");
    private static readonly System.Security.Claims.ClaimsPrincipal Anna = User("u-anna", "Anna", "Approver");

    private static string ErrorBeside(IRenderedComponent<RulesPage> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")?.TextContent ?? "";

    private async Task<(Guid Connection, List<Guid> Vms)> DemoAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = await db.Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync();
        return (connection, await db.Vms.Where(v => v.ConnectionId == connection && v.HostName == "demo-esx-b2").OrderBy(v => v.Name).Select(v => v.Id).Take(2).ToListAsync());
    }

    [Fact]
    public async Task Rules_ShowsEveryFieldError_InOneRound_WhenSavedEmpty()
    {
        var cut = RenderAs<RulesPage>(Olga);
        cut.WaitForAssertion(() => cut.Find("[data-testid=rule-form]"));
        Assert.Equal("Placement rules", cut.Find("h1").TextContent.Trim());

        await cut.Find("button[data-testid=rule-save]").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Name the rule.", ErrorBeside(cut, "rule-name"));
            Assert.Contains("Choose keep apart, keep together or run on host group.", ErrorBeside(cut, "rule-kind"));
        }, TimeSpan.FromSeconds(10));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "Some fields need attention.");
    }

    [Fact]
    public async Task Rules_VmPicker_FindsVmsOfTheChosenConnectionByPartOfTheirName()
    {
        var cut = RenderAs<RulesPage>(Olga);
        cut.WaitForAssertion(() => cut.Find("[data-testid=rule-form]"));
        var picker = cut.FindComponent<MudAutocomplete<VmView>>();
        var search = picker.Instance.SearchFunc ?? throw new InvalidOperationException("the VM picker has no search");

        var searching = search("payments", CancellationToken.None) ?? throw new InvalidOperationException("no search result");
        var found = (await searching)?.ToList() ?? [];

        Assert.NotEmpty(found);
        var (connection, _) = await DemoAsync();
        Assert.All(found, v =>
        {
            Assert.Contains("payments", v.Name, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(connection, v.ConnectionId);
        });
    }

    [Fact]
    public async Task Rules_DeletesARule_OnlyAfterTheDialogIsConfirmed()
    {
        var (connection, vms) = await DemoAsync();
        var name = $"page-{Guid.NewGuid():N}";
        await using (var scope = Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CreateRule>().HandleAsync(TestUser("u-olga", "Olga", Roles.Operator),
                new CreateRule.Command(connection, name, PlacementRuleKind.KeepApart, RuleEnforcement.Should, vms, []));
        var dialogs = Render<MudDialogProvider>();
        var cut = RenderAs<RulesPage>(Olga);
        cut.WaitForAssertion(() => Assert.Contains(name, cut.Find("[data-testid=rules]").TextContent));
        var row = cut.FindAll("[data-testid=rule-row]").Single(r => r.TextContent.Contains(name));

        // Click, not ClickAsync: the handler waits for the dialog's answer, which the test gives below.
        row.QuerySelector("button[data-testid=rule-delete]")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Delete rule?", dialogs.Markup));
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Keep it").Click();
        cut.WaitForAssertion(() => Assert.DoesNotContain("Delete rule?", dialogs.Markup));
        Assert.Equal(1, await CountAsync(name));

        cut.FindAll("[data-testid=rule-row]").Single(r => r.TextContent.Contains(name)).QuerySelector("button[data-testid=rule-delete]")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Delete rule?", dialogs.Markup));
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click();
        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == $"Rule '{name}' deleted."), TimeSpan.FromSeconds(10));
        Assert.Equal(0, await CountAsync(name));
        cut.WaitForAssertion(() => Assert.DoesNotContain(name, cut.Find("[data-testid=rules]").TextContent));
    }

    [Fact]
    public void Rules_IsReadOnly_ForAnApprover()
    {
        var cut = RenderAs<RulesPage>(Anna);
        cut.WaitForAssertion(() => cut.Find("[data-testid=headroom]"));

        Assert.Empty(cut.FindAll("[data-testid=rule-form]"));
        Assert.Empty(cut.FindAll("[data-testid=rule-delete]"));
        Assert.Empty(cut.FindAll("[data-testid=headroom-save]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=headroom-row]"));
    }

    private static PortalUser TestUser(string id, string name, string role) => new(id, name, new HashSet<string> { role }, new HashSet<string>());

    private async Task<int> CountAsync(string name)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().PlacementRules.CountAsync(r => r.Name == name);
    }
}
