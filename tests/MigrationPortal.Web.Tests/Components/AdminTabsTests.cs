using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Web.Components.Admin;
using MudBlazor;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// The Applications and Users tabs on the portal's own use cases and database (issue 13 §1): an application is created with
/// an owner picked by name and listed with that name, not "User:&lt;id&gt;"; an account without a role is refused beside the roles.
/// </summary>
public sealed class AdminTabsTests : BunitContext, IClassFixture<PortalWebFactory>
{
    private static readonly PortalUser Admin = new("u-adam", "Adam", new HashSet<string> { Roles.Administrator }, new HashSet<string>());
    private readonly AsyncServiceScope _host;

    public AdminTabsTests(PortalWebFactory factory)
    {
        _host = factory.Services.CreateAsyncScope();
        // Each call gets its own scope of the portal, as a page's UseCaseAsync does.
        void UseCase<T>() where T : class => Services.AddScoped(_ => factory.Services.CreateScope().ServiceProvider.GetRequiredService<T>());
        UseCase<ListApplications>();
        UseCase<ListOwnerChoices>();
        UseCase<CreateApplication>();
        UseCase<SetApplicationOwners>();
        UseCase<DeleteApplication>();
        UseCase<ListUsers>();
        UseCase<CreateLocalUser>();
        UseCase<SetUserAccess>();
        UseCase<ResetLocalPassword>();
        Services.AddMudServices();
        Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    private static readonly ClaimsPrincipal AdminPrincipal = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "u-adam"), new Claim(ClaimTypes.Name, "Adam"), new Claim(ClaimTypes.Role, Roles.Administrator)], "Test"));

    private IRenderedComponent<T> RenderTab<T>() where T : AdminTab => Render<T>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(AdminPrincipal))));

    [Fact]
    public async Task ApplicationsTab_CreatesAnApplicationWithAnOwnerPickedByName_AndListsTheOwnerByName()
    {
        var userName = $"alice-{Guid.NewGuid():N}"[..20];
        var alice = await _host.ServiceProvider.GetRequiredService<CreateLocalUser>().HandleAsync(Admin, new CreateLocalUser.Command(userName, "Alice Owner", "Correct-horse-42", [Roles.Requester]));
        var appName = $"billing-{Guid.NewGuid():N}";
        var cut = RenderTab<ApplicationsTab>();

        var picker = cut.FindComponent<MudAutocomplete<OwnerView>>();
        var search = picker.Instance.SearchFunc!;
        var found = (await search(userName, CancellationToken.None)!)!.ToList();
        var pick = Assert.Single(found);
        Assert.Equal((OwnerKind.User, alice.Id), (pick.Kind, pick.Principal));
        await cut.InvokeAsync(() => picker.Instance.SelectOptionAsync(pick));
        Assert.Contains($"Alice Owner ({userName})", cut.Find("[data-testid=chosen-owners]").TextContent);
        cut.Find("input[data-testid=application-name], [data-testid=application-name] input").Change(appName);
        await cut.Find("button[data-testid=save-application]").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() =>
        {
            var row = cut.FindAll("[data-testid=application-row]").Single(r => r.TextContent.Contains(appName, StringComparison.Ordinal));
            Assert.Equal($"Alice Owner ({userName})", row.QuerySelector("[data-testid=owners]")!.TextContent.Trim());
        });
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == $"Application '{appName}' created.");
    }

    [Fact]
    public async Task ApplicationsTab_OffersATypedObjectIdAsAnEntraGroup()
    {
        var cut = RenderTab<ApplicationsTab>();
        var objectId = Guid.NewGuid();

        var search = cut.FindComponent<MudAutocomplete<OwnerView>>().Instance.SearchFunc!;
        var found = (await search(objectId.ToString().ToUpperInvariant(), CancellationToken.None)!)!;

        Assert.Contains(found, o => o.Kind == OwnerKind.Group && o.Principal == objectId.ToString() && o.DisplayName == $"Entra group {objectId}");
    }

    [Fact]
    public async Task LocalAccountsTab_ShowsTheRoleErrorBesideTheRoles_WhenNoRoleIsTicked()
    {
        var userName = $"norole-{Guid.NewGuid():N}"[..20];
        var cut = RenderTab<LocalAccountsTab>();

        cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "User name").Find("input").Change(userName);
        cut.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Password").Find("input").Change("Correct-horse-42");
        await cut.FindAll("button").Single(b => b.TextContent.Contains("Save account", StringComparison.Ordinal)).ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.Contains("Choose at least one role", cut.Markup));
        Assert.DoesNotContain(await _host.ServiceProvider.GetRequiredService<ListUsers>().HandleAsync(Admin), a => a.UserName == userName);
    }

    protected override void Dispose(bool disposing)
    {
        // MudBlazor's popover service can only be disposed asynchronously (see ComponentTestContext).
        if (!disposing) return;
        DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
