import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  AssignFeedbackInput,
  CompleteFeedbackFollowUpInput,
  CreateFeedbackInput,
  FeedbackNoteInput,
  ListFeedbackQuery,
  TransitionFeedbackInput,
} from './dto/feedback.input';
import { FeedbackModel, FeedbackNoteModel, FeedbackPageModel } from './dto/feedback.model';
import { FeedbackService } from './feedback.service';

/** GraphQL mirror of the feedback REST routes; every field is one call of the same service method. */
@Resolver(() => FeedbackModel)
export class FeedbackResolver {
  constructor(private readonly feedback: FeedbackService) {}

  @Query(() => FeedbackModel, {
    name: 'feedback',
    description: 'One feedback item with its workflow history.',
  })
  @Scopes('feedback:read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<FeedbackModel> {
    return this.feedback.get(principal, id);
  }

  @Query(() => FeedbackPageModel, {
    name: 'feedbackList',
    description: 'Feedback, newest first, filtered.',
  })
  @Scopes('feedback:read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => ListFeedbackQuery, nullable: true }) filter?: ListFeedbackQuery,
  ): Promise<FeedbackPageModel> {
    return this.feedback.list(principal, filter ?? {});
  }

  @Mutation(() => FeedbackModel, {
    description: 'Record feedback (status received, dueAt from the SLA).',
  })
  @Scopes('feedback:write')
  createFeedback(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.create(principal, input);
  }

  @Mutation(() => FeedbackModel, { description: 'Move feedback through its workflow.' })
  @Scopes('feedback:write')
  transitionFeedback(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: TransitionFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.transition(principal, id, input);
  }

  @Mutation(() => FeedbackModel, { description: 'Assign feedback to staff (null unassigns).' })
  @Scopes('feedback:write')
  assignFeedback(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: AssignFeedbackInput,
  ): Promise<FeedbackModel> {
    return this.feedback.assign(principal, id, input);
  }

  @Mutation(() => FeedbackModel, {
    description:
      'Record the satisfaction call-back (回访) of a resolved complaint, with an optional CSAT.',
  })
  @Scopes('feedback:write')
  completeFeedbackFollowUp(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: CompleteFeedbackFollowUpInput,
  ): Promise<FeedbackModel> {
    return this.feedback.completeFollowUp(principal, id, input);
  }

  @Mutation(() => FeedbackNoteModel, { description: "Add a note to the item's thread." })
  @Scopes('feedback:write')
  addFeedbackNote(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: FeedbackNoteInput,
  ): Promise<FeedbackNoteModel> {
    return this.feedback.addNote(principal, id, input);
  }
}
