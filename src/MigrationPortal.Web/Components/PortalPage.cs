using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Components;

/// <summary>
/// Base for pages: the signed-in user from the authentication state, a fresh DI scope (and so a fresh DbContext) per
/// use-case call, and the mapping of 404/403 outcomes to the friendly pages. A circuit lives long; one DbContext for all of
/// it would go stale and could be used by two callbacks at once.
/// </summary>
public abstract class PortalPage : ComponentBase
{
    [Inject] protected IServiceScopeFactory Scopes { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private PortalUser? _user;

    protected async Task<PortalUser> CurrentUserAsync()
    {
        if (_user is not null) return _user;
        var state = await AuthenticationState!;
        return _user = state.User.ToPortalUser();
    }

    protected async Task<TResult> UseCaseAsync<TUseCase, TResult>(Func<TUseCase, PortalUser, Task<TResult>> call) where TUseCase : notnull
    {
        var user = await CurrentUserAsync();
        await using var scope = Scopes.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TUseCase>(), user);
    }

    protected async Task UseCaseAsync<TUseCase>(Func<TUseCase, PortalUser, Task> call) where TUseCase : notnull
    {
        var user = await CurrentUserAsync();
        await using var scope = Scopes.CreateAsyncScope();
        await call(scope.ServiceProvider.GetRequiredService<TUseCase>(), user);
    }

    /// <summary>Runs a page load; an unknown ID shows the 404 page and a forbidden one the 403 page, never the error page.</summary>
    protected async Task<bool> LoadGuardedAsync(Func<Task> load)
    {
        try
        {
            await load();
            return true;
        }
        catch (NotFoundException)
        {
            Navigation.NavigateTo("/not-found", replace: true);
        }
        catch (ForbiddenException)
        {
            Navigation.NavigateTo("/forbidden", replace: true);
        }

        return false;
    }
}
