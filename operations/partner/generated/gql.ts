/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query OrderStatus($number: String!) {\n  order(number: $number) {\n    id\n    number\n    status\n    financialStatus\n    fulfillmentStatus\n    cancelReason\n    fulfillmentOrders {\n      id\n      status\n      assignedLocation {\n        id\n        name\n      }\n      fulfillments {\n        id\n        createdAt\n        carrier\n        trackingNumber\n      }\n    }\n    timeline {\n      type\n      occurredAt\n      message\n    }\n  }\n}": typeof types.OrderStatusDocument,
    "subscription StockChanges($filter: StockLevelFilterInput!, $after: String, $currency: CurrencyCode! = \"EUR\") {\n  stockLevelChanged(filter: $filter, after: $after) {\n    eventId\n    cursor\n    version\n    occurredAt\n    sku\n    location {\n      id\n      name\n    }\n    changes {\n      name\n      before\n      after\n    }\n    transition\n    reason\n    referenceDocumentUri\n    variant {\n      title\n      product {\n        title\n      }\n      price(currency: $currency) {\n        amount {\n          minorUnits\n          currency\n          fractionDigits\n        }\n      }\n    }\n  }\n}": typeof types.StockChangesDocument,
    "query StockLevels($filter: InventoryLevelFilter!, $first: Int = 100, $after: String) {\n  inventoryLevels(filter: $filter, first: $first, after: $after) {\n    nodes {\n      id\n      item {\n        sku\n      }\n      location {\n        id\n        name\n      }\n      quantities(names: [AVAILABLE, ON_HAND, COMMITTED, INCOMING]) {\n        name\n        quantity\n      }\n      version\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.StockLevelsDocument,
};
const documents: Documents = {
    "query OrderStatus($number: String!) {\n  order(number: $number) {\n    id\n    number\n    status\n    financialStatus\n    fulfillmentStatus\n    cancelReason\n    fulfillmentOrders {\n      id\n      status\n      assignedLocation {\n        id\n        name\n      }\n      fulfillments {\n        id\n        createdAt\n        carrier\n        trackingNumber\n      }\n    }\n    timeline {\n      type\n      occurredAt\n      message\n    }\n  }\n}": types.OrderStatusDocument,
    "subscription StockChanges($filter: StockLevelFilterInput!, $after: String, $currency: CurrencyCode! = \"EUR\") {\n  stockLevelChanged(filter: $filter, after: $after) {\n    eventId\n    cursor\n    version\n    occurredAt\n    sku\n    location {\n      id\n      name\n    }\n    changes {\n      name\n      before\n      after\n    }\n    transition\n    reason\n    referenceDocumentUri\n    variant {\n      title\n      product {\n        title\n      }\n      price(currency: $currency) {\n        amount {\n          minorUnits\n          currency\n          fractionDigits\n        }\n      }\n    }\n  }\n}": types.StockChangesDocument,
    "query StockLevels($filter: InventoryLevelFilter!, $first: Int = 100, $after: String) {\n  inventoryLevels(filter: $filter, first: $first, after: $after) {\n    nodes {\n      id\n      item {\n        sku\n      }\n      location {\n        id\n        name\n      }\n      quantities(names: [AVAILABLE, ON_HAND, COMMITTED, INCOMING]) {\n        name\n        quantity\n      }\n      version\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.StockLevelsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OrderStatus($number: String!) {\n  order(number: $number) {\n    id\n    number\n    status\n    financialStatus\n    fulfillmentStatus\n    cancelReason\n    fulfillmentOrders {\n      id\n      status\n      assignedLocation {\n        id\n        name\n      }\n      fulfillments {\n        id\n        createdAt\n        carrier\n        trackingNumber\n      }\n    }\n    timeline {\n      type\n      occurredAt\n      message\n    }\n  }\n}"): (typeof documents)["query OrderStatus($number: String!) {\n  order(number: $number) {\n    id\n    number\n    status\n    financialStatus\n    fulfillmentStatus\n    cancelReason\n    fulfillmentOrders {\n      id\n      status\n      assignedLocation {\n        id\n        name\n      }\n      fulfillments {\n        id\n        createdAt\n        carrier\n        trackingNumber\n      }\n    }\n    timeline {\n      type\n      occurredAt\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription StockChanges($filter: StockLevelFilterInput!, $after: String, $currency: CurrencyCode! = \"EUR\") {\n  stockLevelChanged(filter: $filter, after: $after) {\n    eventId\n    cursor\n    version\n    occurredAt\n    sku\n    location {\n      id\n      name\n    }\n    changes {\n      name\n      before\n      after\n    }\n    transition\n    reason\n    referenceDocumentUri\n    variant {\n      title\n      product {\n        title\n      }\n      price(currency: $currency) {\n        amount {\n          minorUnits\n          currency\n          fractionDigits\n        }\n      }\n    }\n  }\n}"): (typeof documents)["subscription StockChanges($filter: StockLevelFilterInput!, $after: String, $currency: CurrencyCode! = \"EUR\") {\n  stockLevelChanged(filter: $filter, after: $after) {\n    eventId\n    cursor\n    version\n    occurredAt\n    sku\n    location {\n      id\n      name\n    }\n    changes {\n      name\n      before\n      after\n    }\n    transition\n    reason\n    referenceDocumentUri\n    variant {\n      title\n      product {\n        title\n      }\n      price(currency: $currency) {\n        amount {\n          minorUnits\n          currency\n          fractionDigits\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StockLevels($filter: InventoryLevelFilter!, $first: Int = 100, $after: String) {\n  inventoryLevels(filter: $filter, first: $first, after: $after) {\n    nodes {\n      id\n      item {\n        sku\n      }\n      location {\n        id\n        name\n      }\n      quantities(names: [AVAILABLE, ON_HAND, COMMITTED, INCOMING]) {\n        name\n        quantity\n      }\n      version\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query StockLevels($filter: InventoryLevelFilter!, $first: Int = 100, $after: String) {\n  inventoryLevels(filter: $filter, first: $first, after: $after) {\n    nodes {\n      id\n      item {\n        sku\n      }\n      location {\n        id\n        name\n      }\n      quantities(names: [AVAILABLE, ON_HAND, COMMITTED, INCOMING]) {\n        name\n        quantity\n      }\n      version\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;