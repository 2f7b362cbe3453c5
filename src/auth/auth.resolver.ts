import { Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from './auth.decorators';
import { toMeModel, toTenantModel } from './auth.mapper';
import { AuthService } from './auth.service';
import { MeModel, TenantModel } from './dto/tenant.model';
import type { Principal } from './principal';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Query(() => TenantModel, { description: "The caller's tenant." })
  @Scopes()
  async tenant(@CurrentPrincipal() principal: Principal): Promise<TenantModel> {
    return toTenantModel(await this.auth.getTenant(principal));
  }

  @Query(() => MeModel, { description: 'Who the token belongs to.' })
  @Scopes()
  me(@CurrentPrincipal() principal: Principal): MeModel {
    return toMeModel(principal);
  }
}
