using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Testing;

/// <summary>
/// A user of a <see cref="TestPortal"/> (from <see cref="TestPortal.RunAs"/>): each <c>SendAsync</c> runs one use case in a
/// fresh DI scope, as one web request would, with this user passed to it.
/// </summary>
public sealed class PortalActor(TestPortal portal, PortalUser user)
{
    public PortalUser User => user;

    public Task<TResult> SendAsync<TUseCase, TResult>(Func<TUseCase, PortalUser, Task<TResult>> call) where TUseCase : notnull =>
        portal.Scoped<TUseCase, TResult>(useCase => call(useCase, user));

    public Task SendAsync<TUseCase>(Func<TUseCase, PortalUser, Task> call) where TUseCase : notnull =>
        portal.Scoped<TUseCase>(useCase => call(useCase, user));
}
