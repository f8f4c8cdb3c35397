using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Inventory;
using MudBlazor;
using MudBlazor.Services;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>
/// Renders a whole page with the portal's own use cases on the web host's database: each use case a page asks for comes
/// from a fresh host scope, as <see cref="MigrationPortal.Web.Components.PortalPage"/> does in the app.
/// </summary>
public abstract class PortalPageTestContext : BunitContext
{
    private readonly List<IServiceScope> _scopes = [];

    protected PortalPageTestContext(PortalWebFactory factory)
    {
        Factory = factory;
        foreach (var type in typeof(ListVms).Assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethods().Any(m => m.Name == "HandleAsync")))
            Services.AddScoped(type, _ =>
            {
                var scope = factory.Services.CreateScope();
                lock (_scopes) _scopes.Add(scope);
                return scope.ServiceProvider.GetRequiredService(type);
            });
        // As ComponentTestContext, but after the use cases: bunit takes no registration once something has rendered.
        Services.AddMudServices();
        Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
        Services.AddSingleton(factory.Services.GetRequiredService<IConnectorKinds>());
        // Pages show some links only to the roles that may follow them (AuthorizeView), which asks the authorization service.
        // The real service, not bunit's placeholder (which refuses to answer): it reads the roles of the cascaded user.
        Services.AddAuthorizationCore();
        Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationService, Microsoft.AspNetCore.Authorization.DefaultAuthorizationService>();
        Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider, Microsoft.AspNetCore.Authorization.DefaultAuthorizationPolicyProvider>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    protected PortalWebFactory Factory { get; }

    protected static ClaimsPrincipal User(string id, string name, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "Test"));

    protected IRenderedComponent<TPage> RenderAs<TPage>(ClaimsPrincipal user, Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null) where TPage : IComponent =>
        Render<TPage>(p =>
        {
            p.AddCascadingValue(Task.FromResult(new AuthenticationState(user)));
            parameters?.Invoke(p);
        });

    /// <summary>MudBlazor's popover service can only be disposed asynchronously (see ComponentTestContext).</summary>
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        foreach (var scope in _scopes) scope.Dispose();
    }
}
